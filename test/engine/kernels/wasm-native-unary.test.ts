import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../engine/backend.ts';
import { NATIVE_UNARY_MIN_SIZE } from '../../../engine/kernels/wasm-native-unary.ts';
import { plain, relativeError, runOn } from './compare-backends.ts';

describe('Tanh, Exp and Sigmoid on wasm through the native route', () => {
  beforeAll(async () => {
    const info = await initBackend({ backend: 'wasm', nativeMatMul: true, quiet: true });
    expect(info.nativeMatMul).toBe(true);
  });

  const ops: [string, (x: tf.Tensor) => tf.Tensor][] = [['tanh', tf.tanh], ['exp', tf.exp], ['sigmoid', tf.sigmoid]];
  // Large enough for the native route, odd-sized so no vector tail is skipped; and a small one that is not routed.
  const sizes = [[3, NATIVE_UNARY_MIN_SIZE + 7], [5, 9]];

  it.each(ops.flatMap(([name, op]) => sizes.map((shape) => ({ name, op, shape }))))('$name of $shape equals the cpu backend', ({ op, shape }) => {
    const x = plain(shape, 11);
    x.values = x.values.map((v) => v * 6); // spans both saturation regions of tanh and sigmoid
    const grad = (xs: tf.Tensor) => [op(xs), tf.grad((t: tf.Tensor) => tf.sum(op(t)))(xs)];
    const wasm = runOn('wasm', [x], grad);
    const cpu = runOn('cpu', [x], grad);
    wasm.forEach((values, i) => expect(relativeError(values, cpu[i]!)).toBeLessThan(1e-5));
  });
});
