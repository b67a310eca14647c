import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, nativeMatMulInstance } from '../../../engine/backend.ts';
import { setWasmMatMulRoute, wasmMatMulRoute, type WasmMatMulRoute } from '../../../engine/kernels/wasm-batch-mat-mul.ts';
import type { NativeMatMul } from '../../../engine/kernels/native-matmul.ts';
import { plain, relativeError, runOn } from './compare-backends.ts';

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const cases: Case[] = [
  { a: [64, 32], b: [32, 48], transposeA: false, transposeB: false },
  { a: [64, 32], b: [48, 32], transposeA: false, transposeB: true }, // dx of x·W
  { a: [32, 64], b: [32, 48], transposeA: true, transposeB: false }, // dW of x·W
  { a: [32, 64], b: [48, 32], transposeA: true, transposeB: true },
  { a: [3, 16, 8], b: [3, 8, 12], transposeA: false, transposeB: false }, // batch dims
  { a: [3, 8, 16], b: [3, 12, 8], transposeA: true, transposeB: true },
  { a: [2, 3, 10, 6], b: [2, 3, 6, 5], transposeA: false, transposeB: false }, // two batch dims
  { a: [4, 20, 7], b: [7, 9], transposeA: false, transposeB: false }, // b broadcast over a's batch
  { a: [9, 7], b: [4, 7, 5], transposeA: false, transposeB: false }, // a broadcast over b's batch
  { a: [6, 2, 5], b: [6, 5, 3], transposeA: false, transposeB: false }, // 2 rows × batch 6 = 12 rows
  { a: [3, 7], b: [7, 40], transposeA: false, transposeB: false }, // 3 rows: decoding stays on wasm
  { a: [7, 3], b: [40, 7], transposeA: true, transposeB: true },
];

/** Wraps the real native GEMM to count how often the route is taken. */
function counting(native: NativeMatMul): NativeMatMul & { calls: number } {
  const wrapped = { ...native, calls: 0 };
  wrapped.run = (operands) => {
    wrapped.calls++;
    native.run(operands);
  };
  wrapped.gemm = (operands) => {
    wrapped.calls++;
    native.gemm(operands);
  };
  return wrapped;
}

describe('BatchMatMul on wasm', () => {
  let native: NativeMatMul;

  beforeAll(async () => {
    const info = await initBackend({ backend: 'wasm', nativeMatMul: true, quiet: true });
    expect(info.nativeMatMul).toBe(true);
    native = nativeMatMulInstance()!;
  });

  afterEach(() => setWasmMatMulRoute({ route: 'native', native }));

  for (const route of ['transpose', 'native'] as WasmMatMulRoute[]) {
    it(`equals the cpu backend within 1e-5 relative on route ${route}`, () => {
      const seen = counting(native);
      setWasmMatMulRoute({ route, native: seen });
      cases.forEach((c, i) => {
        const inputs = [plain(c.a, 10 + i), plain(c.b, 100 + i)];
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, c.transposeA, c.transposeB);
        const [wasm] = runOn('wasm', inputs, f);
        const [cpu] = runOn('cpu', inputs, f);
        expect(relativeError(wasm!, cpu!), JSON.stringify(c)).toBeLessThan(1e-5);
      });
      const batch = (c: Case) => Math.max(c.a.slice(0, -2).reduce((p, d) => p * d, 1), c.b.slice(0, -2).reduce((p, d) => p * d, 1));
      const rows = (c: Case) => (c.transposeA ? c.a.at(-1)! : c.a.at(-2)!) * batch(c);
      const bigEnough = cases.filter((c) => rows(c) >= 8).length;
      expect(bigEnough).toBeLessThan(cases.length);
      expect(seen.calls).toBe(route === 'native' ? bigEnough : 0);
    });
  }

  it('gives gradients of a two-layer net equal to cpu', () => {
    expect(wasmMatMulRoute().route).toBe('native');
    const inputs = [plain([16, 12], 1), plain([12, 20], 2), plain([20, 5], 3), plain([16, 5], 4)];
    const f = (x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, target: tf.Tensor) => {
      const loss = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.sub(tf.matMul(tf.tanh(tf.matMul(x, a)), b), target))) as tf.Scalar;
      return tf.grads(loss)([w1, w2]);
    };
    const wasm = runOn('wasm', inputs, f);
    const cpu = runOn('cpu', inputs, f);
    expect(relativeError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    expect(relativeError(wasm[1]!, cpu[1]!)).toBeLessThan(1e-5);
  });

  it('leaks no tensors or wasm buffers on either route', () => {
    void tf.setBackend('wasm');
    const a = tf.tensor(plain([32, 24], 5).values, [32, 24]);
    const b = tf.tensor(plain([40, 24], 6).values, [40, 24]);
    const a3 = tf.tensor(plain([2, 16, 8], 7).values, [2, 16, 8]);
    const b3 = tf.tensor(plain([2, 12, 8], 8).values, [2, 12, 8]);
    // Unbatched (Gemm) and batched (transpose + MatMul) products, forward and backward.
    const loss = (x: tf.Tensor, y: tf.Tensor, x3: tf.Tensor, y3: tf.Tensor) =>
      tf.add(tf.sum(tf.matMul(x, y, false, true)), tf.sum(tf.matMul(x3, y3, false, true))) as tf.Scalar;
    const step = () => tf.tidy(() => tf.grads(loss)([a, b, a3, b3])).forEach((g) => g.dispose());
    for (const route of ['transpose', 'native'] as WasmMatMulRoute[]) {
      setWasmMatMulRoute({ route, native });
      step();
      const before = { ...tf.memory(), ids: tf.backend().numDataIds() };
      for (let i = 0; i < 3; i++) step();
      const after = { ...tf.memory(), ids: tf.backend().numDataIds() };
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
      expect(after.ids).toBe(before.ids);
    }
    tf.dispose([a, b, a3, b3]);
  });
});
