// A tiny tfjs attention decoder (embedding, tanh recurrence, dot attention, output projection) that
// implements StepModel with real tensors, padding and masks, to check batching and tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import type { StepModel, StepOutput } from '../../../../engine/decoding/step-model.ts';
import { SPECIALS } from './table-model.ts';

export interface TensorState {
  enc: tf.Tensor3D; // [batch, srcLen, hidden]
  mask: tf.Tensor2D; // [batch, srcLen], 1 on real positions
  h: tf.Tensor2D; // [batch, hidden]
  lengths: number[];
}

export class TensorModel implements StepModel<TensorState> {
  readonly specials = SPECIALS;
  private readonly emb: tf.Tensor2D; // [vocab, hidden]
  private readonly w: tf.Tensor2D; // [hidden, hidden]
  private readonly u: tf.Tensor2D; // [hidden, hidden]
  private readonly out: tf.Tensor2D; // [2*hidden, vocab]

  constructor(readonly vocabSize: number, hidden: number, seed: number) {
    this.emb = tf.randomNormal([vocabSize, hidden], 0, 1, 'float32', seed);
    this.w = tf.randomNormal([hidden, hidden], 0, 0.5, 'float32', seed + 1);
    this.u = tf.randomNormal([hidden, hidden], 0, 0.5, 'float32', seed + 2);
    this.out = tf.randomNormal([2 * hidden, vocabSize], 0, 1.5, 'float32', seed + 3);
  }

  dispose(): void {
    tf.dispose([this.emb, this.w, this.u, this.out]);
  }

  async encode(sources: number[][]): Promise<TensorState> {
    const L = Math.max(1, ...sources.map((s) => s.length));
    const ids = sources.flatMap((s) => [...s, ...new Array<number>(L - s.length).fill(SPECIALS.pad)]);
    const maskValues = sources.flatMap((s) => Array.from({ length: L }, (_, i) => (i < s.length ? 1 : 0)));
    return tf.tidy(() => {
      const mask = tf.tensor2d(maskValues, [sources.length, L]);
      const enc = tf.mul(tf.reshape(tf.gather(this.emb, tf.tensor1d(ids, 'int32')), [sources.length, L, -1]), tf.expandDims(mask, 2)) as tf.Tensor3D;
      const h = tf.div(tf.sum(enc, 1), tf.maximum(tf.sum(mask, 1, true), 1)) as tf.Tensor2D; // [batch, hidden]
      return { enc, mask, h, lengths: sources.map((s) => s.length) };
    });
  }

  sourceLengths(state: TensorState): number[] {
    return state.lengths;
  }

  async step(prevTokens: Int32Array, state: TensorState): Promise<StepOutput<TensorState>> {
    const [logProbs, attention, h] = tf.tidy(() => {
      const x = tf.gather(this.emb, tf.tensor1d(prevTokens, 'int32')); // [batch, hidden]
      const h = tf.tanh(tf.add(tf.matMul(x, this.w), tf.matMul(state.h, this.u))) as tf.Tensor2D;
      const scores = tf.squeeze(tf.matMul(state.enc, tf.expandDims(h, 2)), [2]); // [batch, srcLen]
      const masked = tf.add(scores, tf.mul(tf.sub(1, state.mask), -1e9));
      const att = tf.softmax(masked); // [batch, srcLen]
      const ctx = tf.squeeze(tf.matMul(tf.expandDims(att, 1), state.enc), [1]); // [batch, hidden]
      const logits = tf.matMul(tf.concat([h, ctx], 1), this.out); // [batch, vocab]
      return [tf.logSoftmax(logits), att, h] as const;
    });
    const lp = (await logProbs.data()) as Float32Array;
    const at = (await attention.data()) as Float32Array;
    tf.dispose([logProbs, attention]);
    const next: TensorState = { enc: tf.clone(state.enc), mask: tf.clone(state.mask), h, lengths: state.lengths };
    return { logProbs: lp, attention: at, state: next };
  }

  reorder(state: TensorState, indices: ArrayLike<number>): TensorState {
    return tf.tidy(() => {
      const idx = tf.tensor1d(Array.from(indices), 'int32');
      return {
        enc: tf.gather(state.enc, idx),
        mask: tf.gather(state.mask, idx),
        h: tf.gather(state.h, idx),
        lengths: Array.from(indices, (i) => state.lengths[i]!),
      };
    });
  }

  concat(states: TensorState[]): TensorState {
    const L = Math.max(...states.map((s) => s.enc.shape[1]));
    return tf.tidy(() => ({
      enc: tf.concat(states.map((s) => tf.pad(s.enc, [[0, 0], [0, L - s.enc.shape[1]], [0, 0]]))),
      mask: tf.concat(states.map((s) => tf.pad(s.mask, [[0, 0], [0, L - s.mask.shape[1]]]))),
      h: tf.concat(states.map((s) => s.h)),
      lengths: states.flatMap((s) => s.lengths),
    }));
  }

  release(state: TensorState): void {
    if (state.enc.isDisposed) throw new Error('state released twice');
    tf.dispose([state.enc, state.mask, state.h]);
  }

  async encodeUnconditional(batch: number): Promise<TensorState> {
    return tf.tidy(() => ({
      enc: tf.zeros([batch, 1, this.emb.shape[1]]) as tf.Tensor3D,
      mask: tf.ones([batch, 1]) as tf.Tensor2D,
      h: tf.zeros([batch, this.emb.shape[1]]) as tf.Tensor2D,
      lengths: new Array<number>(batch).fill(0),
    }));
  }
}
