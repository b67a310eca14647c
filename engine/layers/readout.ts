// The output layer: features [s_i; c_i; e(y_{i−1})] → a readout layer (tanh, or maxout with pool 2 as
// in Bahdanau et al. 2014 and Cho et al. 2014) → logits over the target vocabulary.
import * as tf from '@tensorflow/tfjs-core';
import { readoutWidth } from '../config.ts';
import type { ParamStore } from '../models/params.ts';

export type ReadoutKind = 'tanh' | 'maxout';

export class Readout {
  readonly w: tf.Variable; // [F, R]
  readonly b: tf.Variable; // [R]
  readonly wOut: tf.Variable; // [R or R/2, V]
  readonly bOut: tf.Variable; // [V]

  constructor(params: ParamStore, prefix: string, readonly o: { input: number; kind: ReadoutKind; dim: number; vocab: number }) {
    this.w = params.add(`${prefix}/w`, [o.input, o.dim], { kind: 'glorot' });
    this.b = params.add(`${prefix}/b`, [o.dim], { kind: 'zeros' });
    this.wOut = params.add(`${prefix}/w_out`, [readoutWidth({ readout: o }), o.vocab], { kind: 'glorot' });
    this.bOut = params.add(`${prefix}/b_out`, [o.vocab], { kind: 'zeros' });
  }

  /** features [N, F] → hidden [N, R'] (before the vocabulary projection). */
  hidden(features: tf.Tensor): tf.Tensor {
    const pre = tf.add(tf.matMul(features, this.w), this.b); // [N, R]
    if (this.o.kind === 'tanh') return tf.tanh(pre);
    const n = pre.shape[0]!;
    return tf.max(tf.reshape(pre, [n, this.o.dim / 2, 2]), 2); // maxout over adjacent pairs
  }

  /** hidden [N, R'] → logits [N, V]. */
  logits(hidden: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(hidden, this.wOut), this.bOut);
  }
}
