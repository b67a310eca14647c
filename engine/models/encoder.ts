// The source side: one recurrent encoder, or two for NRM's hybrid scheme (a global encoder whose last
// state summarises the source and a local encoder whose states are attended; Shang et al. 2015 §3.3).
import * as tf from '@tensorflow/tfjs-core';
import { RnnStack } from '../cells/rnn.ts';
import type { CellState } from '../cells/cell.ts';
import { encoderWidth, type ModelConfig } from '../config.ts';
import type { Random } from '../random.ts';
import type { ParamStore } from './params.ts';

export interface EncoderOutput {
  /** States to attend over [B, S, D], when the decoder attends. */
  keys: tf.Tensor | null;
  /** The fixed context [B, G] fed to every decoder step, when the decoder has one. */
  global: tf.Tensor | null;
  /** Final states of the encoder that initialises the decoder, per layer. */
  finals: CellState[];
}

export class SourceEncoder {
  private readonly main: RnnStack;
  private readonly globalEncoder: RnnStack | null;

  constructor(params: ParamStore, private readonly config: ModelConfig) {
    const e = config.encoder;
    const options = { ...e, input: config.embedding };
    this.main = new RnnStack(params, config.context === 'hybrid' ? 'encoder_local' : 'encoder', options);
    this.globalEncoder = config.context === 'hybrid' ? new RnnStack(params, 'encoder_global', options) : null;
  }

  /** Width of the fixed context (0 when none). */
  get globalWidth(): number {
    return this.config.context === 'global' || this.config.context === 'hybrid' ? encoderWidth(this.config) : 0;
  }

  /** Width of attended states (0 when the decoder does not attend). */
  get keyWidth(): number {
    return this.config.context === 'local' || this.config.context === 'hybrid' ? encoderWidth(this.config) : 0;
  }

  /** embedded: [B, S, E]. */
  encode(embedded: tf.Tensor, lengths: number[], training: { dropout: number; rng: Random } | null): EncoderOutput {
    const run = (stack: RnnStack) =>
      stack.run(embedded, { lengths, dropout: training?.dropout, rng: training?.rng, inference: training === null });
    const main = run(this.main);
    const top = (finals: CellState[]) => finals[finals.length - 1]!.h;
    switch (this.config.context) {
      case 'local':
        return { keys: main.outputs, global: null, finals: main.finals };
      case 'global':
        return { keys: null, global: top(main.finals), finals: main.finals };
      case 'none':
        return { keys: null, global: null, finals: main.finals };
      case 'hybrid': {
        const g = run(this.globalEncoder!);
        return { keys: main.outputs, global: top(g.finals), finals: g.finals };
      }
    }
  }
}
