import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../engine/backend.ts';
import { plain, relativeError, runOn, type Plain } from './compare-backends.ts';

function ids(values: number[]): Plain {
  return { shape: [values.length], values: Int32Array.from(values), dtype: 'int32' };
}

describe('UnsortedSegmentSum on wasm', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('is registered for wasm', () => {
    expect(tf.getKernel(tf.UnsortedSegmentSum, 'wasm')).toBeDefined();
  });

  it('equals the cpu backend on random inputs, dropping out-of-range ids', () => {
    const x = plain([9, 3, 4], 1); // [9, 3, 4]
    const segmentIds = ids([0, 5, 2, 2, -1, 5, 7, 0, 6]); // -1 and 7 lie outside [0, 7)
    const f = (xs: tf.Tensor, s: tf.Tensor) => tf.unsortedSegmentSum(xs, s as tf.Tensor1D, 7);
    const [wasm] = runOn('wasm', [x, segmentIds], f);
    const [cpu] = runOn('cpu', [x, segmentIds], f);
    expect(wasm!.length).toBe(7 * 3 * 4);
    expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-6);
  });

  it('gives the gradient of gather (an embedding lookup) equal to cpu', () => {
    const table = plain([50, 8], 2); // [vocab, emb]
    const tokens = ids([3, 7, 7, 0, 49, 3, 12, 7]);
    const upstream = plain([8, 8], 3); // weights the gathered rows so the gradient is not all ones
    const f = (t: tf.Tensor, i: tf.Tensor, w: tf.Tensor) =>
      tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, i as tf.Tensor1D), w)))(t);
    const [wasm] = runOn('wasm', [table, tokens, upstream], f);
    const [cpu] = runOn('cpu', [table, tokens, upstream], f);
    expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-6);
    expect(wasm!.some((v) => v !== 0)).toBe(true);
  });

  it('leaks no tensors or wasm buffers', () => {
    tf.setBackend('wasm');
    const x = tf.tensor(plain([20, 6], 4).values, [20, 6]);
    const s = tf.tensor1d([1, 2, 3, 1, 0, 0, 2, 3, 3, 1, 0, 2, 1, 1, 1, 0, 0, 3, 2, 2], 'int32');
    const run = () => tf.tidy(() => tf.grad((e: tf.Tensor) => tf.sum(tf.gather(e, s as tf.Tensor1D)))(x)).dispose();
    run();
    const before = { ...tf.memory(), ids: tf.backend().numDataIds() };
    for (let i = 0; i < 3; i++) run();
    const after = { ...tf.memory(), ids: tf.backend().numDataIds() };
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.ids).toBe(before.ids);
    tf.dispose([x, s]);
  });
});
