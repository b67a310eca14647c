// The target side, one step at a time (Bahdanau et al. 2014's order): attend with the previous top
// state, feed [e(y_{i−1}); context] to the first layer, and expose [s_i; c_i; e(y_{i−1})] to the readout.
// Teacher-forced training and step-by-step decoding both run through `step`, so they share every weight.
import * as tf from '@tensorflow/tfjs-core';
import type { Cell, CellState } from '../cells/cell.ts';
import { makeCell } from '../cells/rnn.ts';
import { encoderWidth, type ModelConfig } from '../config.ts';
import { Attention, type AttentionMemory } from '../layers/attention.ts';
import type { Random } from '../random.ts';
import type { EncoderOutput } from './encoder.ts';
import type { ParamStore } from './params.ts';

/** Everything from the source that the decoder reads at each step. */
export interface DecoderMemory {
  attention: AttentionMemory | null;
  global: tf.Tensor | null; // [B, G]
}

export interface DecoderStep {
  state: CellState[];
  /** [s_i; c_i; e(y_{i−1})]: [B, featureWidth]. */
  features: tf.Tensor;
  /** Attention weights [B, S], when the decoder attends. */
  weights: tf.Tensor | null;
}

export type Training = { dropout: number; rng: Random } | null;

export class Decoder {
  readonly cells: Cell[] = [];
  readonly attention: Attention | null;
  readonly bridges: { w: tf.Variable; b: tf.Variable }[] = [];
  readonly contextWidth: number;
  readonly featureWidth: number;

  constructor(params: ParamStore, private readonly config: ModelConfig, widths: { global: number; keys: number }) {
    const d = config.decoder;
    this.contextWidth = widths.global + widths.keys;
    for (let l = 0; l < d.layers; l++) {
      const input = l === 0 ? config.embedding + this.contextWidth : d.hidden;
      this.cells.push(makeCell(params, `decoder/l${l}`, { cell: d.cell, input, hidden: d.hidden, peephole: d.peephole }));
    }
    this.attention = widths.keys
      ? new Attention(params, 'attention', { kind: config.attention.kind, queryDim: d.hidden, keyDim: widths.keys, dim: config.attention.dim })
      : null;
    if (d.init === 'bridge') {
      for (let l = 0; l < d.layers; l++) {
        this.bridges.push({
          w: params.add(`bridge/l${l}/w`, [encoderWidth(config), d.hidden], { kind: 'glorot' }),
          b: params.add(`bridge/l${l}/b`, [d.hidden], { kind: 'zeros' }),
        });
      }
    }
    this.featureWidth = d.hidden + this.contextWidth + config.embedding;
  }

  /** The decoder's initial state from the encoder's final states. */
  initialState(enc: EncoderOutput, batch: number): CellState[] {
    const lstm = this.config.decoder.cell === 'lstm';
    switch (this.config.decoder.init) {
      case 'copy':
        return enc.finals.map((s) => (lstm ? { h: s.h, c: s.c ?? tf.zerosLike(s.h) } : { h: s.h }));
      case 'zeros':
        return this.cells.map((c) => c.zeroState(batch));
      case 'bridge': {
        const summary = enc.finals[enc.finals.length - 1]!.h; // [B, encoderWidth]
        return this.bridges.map(({ w, b }) => {
          const h = tf.tanh(tf.add(tf.matMul(summary, w), b));
          return lstm ? { h, c: tf.zerosLike(h) } : { h };
        });
      }
    }
  }

  /** emb: e(y_{i−1}) [B, E]. */
  step(emb: tf.Tensor, state: CellState[], memory: DecoderMemory, training: Training): DecoderStep {
    const top = state[state.length - 1]!.h;
    const parts: tf.Tensor[] = [];
    let weights: tf.Tensor | null = null;
    if (memory.global) parts.push(memory.global);
    if (this.attention && memory.attention) {
      const a = this.attention.attend(memory.attention, top);
      parts.push(a.context);
      weights = a.weights;
    }
    const context = parts.length === 0 ? null : parts.length === 1 ? parts[0]! : tf.concat(parts, 1); // [B, C]
    let input = context ? tf.concat([emb, context], 1) : emb;
    const next: CellState[] = this.cells.map((cell, l) => {
      if (l > 0 && training && training.dropout > 0) input = tf.dropout(input, training.dropout, undefined, training.rng.seed());
      const s = cell.step(cell.project(input), state[l]!);
      input = s.h;
      return s;
    });
    const features = tf.concat(context ? [input, context, emb] : [input, emb], 1);
    return { state: next, features, weights };
  }
}
