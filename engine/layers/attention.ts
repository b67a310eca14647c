// Attention over encoder states with source masking: additive (Bahdanau et al. 2014)
// score = vᵀ tanh(W_q q + W_k k_j); dot (Luong et al. 2015) score = qᵀ k_j; general score = qᵀ W k_j.
import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '../models/params.ts';

export type AttentionKind = 'additive' | 'dot' | 'general';

/** Encoder-side tensors computed once per source batch and reused at every decoder step. */
export interface AttentionMemory {
  keys: tf.Tensor; // [B, S, D]
  /** Additive: W_k k [B, S, A]; general: k Wᵀ [B, S, Dq]; dot: null. */
  proj: tf.Tensor | null;
  /** 0 at real positions, a large negative number at padding: [B, S]. */
  maskAdd: tf.Tensor;
}

/** Large enough that exp underflows to exactly 0 next to any real score, unlike −∞ it keeps gradients finite. */
export const MASKED = -1e9;

export function maskFromLengths(lengths: number[], srcLen: number): tf.Tensor {
  return tf.tensor2d(lengths.map((len) => Array.from({ length: srcLen }, (_, j) => (j < len ? 0 : MASKED))), [lengths.length, srcLen]);
}

export class Attention {
  readonly wq: tf.Variable | null = null; // additive: [Dq, A]
  readonly wk: tf.Variable | null = null; // additive: [D, A]; general: [D, Dq]
  readonly v: tf.Variable | null = null; // additive: [A]

  constructor(params: ParamStore, prefix: string, readonly o: { kind: AttentionKind; queryDim: number; keyDim: number; dim: number }) {
    if (o.kind === 'additive') {
      this.wq = params.add(`${prefix}/w_q`, [o.queryDim, o.dim], { kind: 'glorot' });
      this.wk = params.add(`${prefix}/w_k`, [o.keyDim, o.dim], { kind: 'glorot' });
      this.v = params.add(`${prefix}/v`, [o.dim], { kind: 'uniform', scale: 1 / Math.sqrt(o.dim) });
    } else if (o.kind === 'general') {
      this.wk = params.add(`${prefix}/w`, [o.keyDim, o.queryDim], { kind: 'glorot' });
    } else if (o.queryDim !== o.keyDim) {
      throw new Error(`dot attention needs equal query and key sizes, got ${o.queryDim} and ${o.keyDim}`);
    }
  }

  /** keys: [B, S, D]; maskAdd: [B, S]. */
  prepare(keys: tf.Tensor, maskAdd: tf.Tensor): AttentionMemory {
    if (!this.wk) return { keys, proj: null, maskAdd };
    const [B, S, D] = keys.shape as [number, number, number];
    const proj = tf.reshape(tf.matMul(tf.reshape(keys, [B * S, D]), this.wk), [B, S, -1]);
    return { keys, proj, maskAdd };
  }

  /** query: [B, Dq] → context [B, D] and weights [B, S]. */
  attend(m: AttentionMemory, query: tf.Tensor): { context: tf.Tensor; weights: tf.Tensor } {
    const [B, S] = m.maskAdd.shape as [number, number];
    let scores: tf.Tensor; // [B, S]
    if (this.o.kind === 'additive') {
      const q = tf.expandDims(tf.matMul(query, this.wq!), 1); // [B, 1, A]
      const e = tf.tanh(tf.add(m.proj!, q)); // [B, S, A]
      scores = tf.reshape(tf.matMul(tf.reshape(e, [B * S, this.o.dim]), tf.reshape(this.v!, [this.o.dim, 1])), [B, S]);
    } else {
      const k = this.o.kind === 'general' ? m.proj! : m.keys; // [B, S, Dq]
      scores = tf.reshape(tf.matMul(k, tf.expandDims(query, 2)), [B, S]);
    }
    const weights = tf.softmax(tf.add(scores, m.maskAdd));
    const context = tf.reshape(tf.matMul(tf.expandDims(weights, 1), m.keys), [B, -1]); // [B, D]
    return { context, weights };
  }
}
