// A recurrent encoder–decoder assembled from a ModelConfig; the presets (NRM global/local/hybrid,
// RNNsearch, RNN encoder–decoder, LSTM seq2seq) differ only in config. Teacher-forced training here;
// step-by-step decoding in tfjs-step-model.ts, through the same decoder step.
import * as tf from '@tensorflow/tfjs-core';
import type { CellState } from '../cells/cell.ts';
import { sourceVocabSize, type ModelConfig } from '../config.ts';
import { Embedding } from '../layers/embedding.ts';
import { maskFromLengths } from '../layers/attention.ts';
import { Readout } from '../layers/readout.ts';
import type { TensorBatch } from '../training/batch.ts';
import { maskedCrossEntropy } from '../training/loss.ts';
import { Decoder, type DecoderMemory, type Training } from './decoder.ts';
import { SourceEncoder } from './encoder.ts';
import { ParamStore } from './params.ts';

export interface Encoded {
  memory: DecoderMemory;
  state: CellState[];
}

export class Seq2Seq {
  readonly params: ParamStore;
  readonly srcEmbedding: Embedding;
  readonly tgtEmbedding: Embedding;
  readonly encoder: SourceEncoder;
  readonly decoder: Decoder;
  readonly readout: Readout;

  constructor(readonly config: ModelConfig) {
    this.params = new ParamStore(config.seed);
    const { vocabSize, embedding } = config;
    this.srcEmbedding = new Embedding(this.params, config.shareEmbeddings ? 'embedding' : 'src_embedding', sourceVocabSize(config), embedding);
    this.tgtEmbedding = config.shareEmbeddings ? this.srcEmbedding : new Embedding(this.params, 'tgt_embedding', vocabSize, embedding);
    this.encoder = new SourceEncoder(this.params, config);
    this.decoder = new Decoder(this.params, config, { global: this.encoder.globalWidth, keys: this.encoder.keyWidth });
    this.readout = new Readout(this.params, 'readout', { input: this.decoder.featureWidth, ...config.readout, vocab: vocabSize });
  }

  /** src: int32 [B, S], padded after `lengths`. */
  encode(src: tf.Tensor, lengths: number[], training: Training): Encoded {
    const [B, S] = src.shape as [number, number];
    let embedded = this.srcEmbedding.lookup(src); // [B, S, E]
    if (training && training.dropout > 0) embedded = tf.dropout(embedded, training.dropout, undefined, training.rng.seed());
    const enc = this.encoder.encode(embedded, lengths, training);
    const attention = enc.keys && this.decoder.attention ? this.decoder.attention.prepare(enc.keys, maskFromLengths(lengths, S)) : null;
    return { memory: { attention, global: enc.global }, state: this.decoder.initialState(enc, B) };
  }

  /** Teacher-forced logits for a whole batch: [B * T, V], row b*T + t. */
  forward(batch: TensorBatch, training: Training): tf.Tensor {
    return this.readout.logits(this.readout.hidden(this.features(batch, training)));
  }

  /**
   * Teacher-forced readout inputs [B * T, F] (row b*T + t), dropout applied. Without training (no
   * gradient to keep intermediates for) each decoder step runs in its own tidy, so a long batch holds
   * only the states and features, not every gate of every step until the caller's tidy ends.
   */
  features(batch: TensorBatch, training: Training): tf.Tensor {
    const { memory, state: initial } = this.encode(batch.src, batch.srcLengths, training);
    const [B, T] = batch.tgtIn.shape as [number, number];
    const embedded = tf.unstack(this.tgtEmbedding.lookup(batch.tgtIn), 1); // [T] × [B, E]
    let state = initial;
    const features: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      let emb = embedded[t]!;
      if (training && training.dropout > 0) emb = tf.dropout(emb, training.dropout, undefined, training.rng.seed());
      const prev = state;
      const step = training
        ? this.decoder.step(emb, state, memory, training)
        : tf.tidy(() => {
            const s = this.decoder.step(emb, prev, memory, null);
            return { state: s.state.map((c) => (c.c ? { h: c.h, c: c.c } : { h: c.h })), features: s.features };
          });
      // The previous state came out of the last step's tidy (t > 0) and nothing else holds it.
      if (!training && t > 0) {
        const kept = new Set(cellTensors(step.state));
        tf.dispose(cellTensors(prev).filter((x) => !kept.has(x)));
      }
      state = step.state;
      features.push(step.features);
    }
    let f = tf.reshape(tf.stack(features, 1), [B * T, this.decoder.featureWidth]); // [B*T, F]
    if (training && training.dropout > 0) f = tf.dropout(f, training.dropout, undefined, training.rng.seed());
    return f;
  }

  /** Mean cross-entropy per real target token. */
  loss(batch: TensorBatch, training: Training, labelSmoothing = 0): tf.Scalar {
    return maskedCrossEntropy(this.forward(batch, training), batch.tgtOut, batch.tgtWeights, labelSmoothing);
  }

  dispose(): void {
    this.params.dispose();
  }
}

const cellTensors = (cells: CellState[]): tf.Tensor[] => cells.flatMap((c) => (c.c ? [c.h, c.c] : [c.h]));
