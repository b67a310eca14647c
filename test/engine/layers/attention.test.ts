import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Attention, maskFromLengths } from '../../../engine/layers/attention.ts';
import { ParamStore } from '../../../engine/models/params.ts';
import { loadReference } from '../../helpers/reference.ts';
import { expectClose } from '../../helpers/close.ts';

interface AttentionReference {
  query: number[][]; keys: number[][][]; Wq: number[][]; Wk: number[][]; v: number[]; src_len: number[];
  alpha: number[][]; context: number[][]; w: number[][]; loss: number;
  grad: { query: number[][]; keys: number[][][] };
}

describe('additive attention against PyTorch', () => {
  const ref = loadReference<AttentionReference>('bahdanau_attention');
  const params = new ParamStore(1);
  const att = new Attention(params, 'att', { kind: 'additive', queryDim: ref.query[0]!.length, keyDim: ref.keys[0]![0]!.length, dim: ref.v.length });
  params.assign(new Map<string, tf.Tensor>([
    ['att/w_q', tf.transpose(tf.tensor2d(ref.Wq))],
    ['att/w_k', tf.transpose(tf.tensor2d(ref.Wk))],
    ['att/v', tf.tensor1d(ref.v)],
  ]));
  const srcLen = ref.keys[0]!.length;
  const run = (query: tf.Tensor, keys: tf.Tensor) => att.attend(att.prepare(keys, maskFromLengths(ref.src_len, srcLen)), query);

  it('matches weights and context, giving padded positions zero weight', () => {
    const { context, weights } = run(tf.tensor2d(ref.query), tf.tensor3d(ref.keys));
    expectClose(weights.arraySync() as number[][], ref.alpha);
    expectClose(context.arraySync() as number[][], ref.context);
    const w = weights.arraySync() as number[][];
    ref.src_len.forEach((len, b) => expect(w[b]!.slice(len).every((x) => x === 0)).toBe(true));
  });

  it('matches the loss and the gradients of query and keys', () => {
    const q = tf.variable(tf.tensor2d(ref.query));
    const k = tf.variable(tf.tensor3d(ref.keys));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(run(q, k).context, tf.tensor2d(ref.w))) as tf.Scalar, [q, k]);
    expectClose(value.dataSync(), [ref.loss]);
    expectClose(grads[q.name]!.arraySync() as number[][], ref.grad.query);
    expectClose(grads[k.name]!.arraySync() as number[][][], ref.grad.keys);
  });
});

describe('dot and general attention', () => {
  it('dot scores are query·key and padding gets no weight', () => {
    const att = new Attention(new ParamStore(1), 'a', { kind: 'dot', queryDim: 2, keyDim: 2, dim: 2 });
    const keys = tf.tensor3d([[[1, 0], [0, 1], [5, 5]]]);
    const { weights } = att.attend(att.prepare(keys, maskFromLengths([2], 3)), tf.tensor2d([[2, 0]]));
    const e = Math.exp(2);
    expectClose(weights.dataSync(), [e / (e + 1), 1 / (e + 1), 0]);
  });

  it('general attention with W = identity equals dot attention', () => {
    const params = new ParamStore(1);
    const general = new Attention(params, 'g', { kind: 'general', queryDim: 3, keyDim: 3, dim: 3 });
    params.assign(new Map<string, tf.Tensor>([['g/w', tf.eye(3)]]));
    const dot = new Attention(new ParamStore(1), 'd', { kind: 'dot', queryDim: 3, keyDim: 3, dim: 3 });
    const keys = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 3);
    const q = tf.randomNormal([2, 3], 0, 1, 'float32', 4);
    const mask = maskFromLengths([4, 2], 4);
    expectClose(general.attend(general.prepare(keys, mask), q).context.dataSync(), dot.attend(dot.prepare(keys, mask), q).context.dataSync());
  });

  it('refuses dot attention between different sizes', () => {
    expect(() => new Attention(new ParamStore(1), 'd', { kind: 'dot', queryDim: 3, keyDim: 4, dim: 3 })).toThrow(/equal query and key sizes/);
  });
});
