import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeMatMul, PINNED_ORT_VERSION } from '../../../engine/kernels/native-matmul.ts';
import { randomValues, relativeError } from './compare-backends.ts';

/** Reference batched matmul in float64; a batch of 1 broadcasts. */
function reference(a: Float32Array, b: Float32Array, dims: { ba: number; bb: number; m: number; k: number; n: number }): Float32Array {
  const { ba, bb, m, k, n } = dims;
  const batch = Math.max(ba, bb);
  const out = new Float32Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const ao = (ba === 1 ? 0 : t) * m * k;
    const bo = (bb === 1 ? 0 : t) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ao + i * k + p]! * b[bo + p * n + j]!;
        out[t * m * n + i * n + j] = s;
      }
    }
  }
  return out;
}

describe('native matmul through the onnxruntime-node binding', () => {
  const native = loadNativeMatMul({ threads: 2 });
  afterAll(() => native.dispose());

  it(`runs synchronously on the pinned onnxruntime-node ${PINNED_ORT_VERSION}`, () => {
    expect(native.version).toBe(PINNED_ORT_VERSION);
    expect(native.threads).toBe(2);
  });

  it('writes rank-2 products into the given output', () => {
    const [m, k, n] = [17, 33, 9];
    const a = randomValues(m * k, 1);
    const b = randomValues(k * n, 2);
    const out = new Float32Array(m * n);
    native.run({ a: { data: a, dims: [m, k] }, b: { data: b, dims: [k, n] }, out: { data: out, dims: [m, n] } });
    expect(relativeError(out, reference(a, b, { ba: 1, bb: 1, m, k, n }))).toBeLessThan(1e-5);
  });

  it('broadcasts a batch of one in rank 3', () => {
    for (const [ba, bb] of [[3, 3], [3, 1], [1, 4]] as const) {
      const [m, k, n] = [8, 5, 6];
      const a = randomValues(ba * m * k, 3);
      const b = randomValues(bb * k * n, 4);
      const out = new Float32Array(Math.max(ba, bb) * m * n);
      native.run({
        a: { data: a, dims: [ba, m, k] },
        b: { data: b, dims: [bb, k, n] },
        out: { data: out, dims: [Math.max(ba, bb), m, n] },
      });
      expect(relativeError(out, reference(a, b, { ba, bb, m, k, n }))).toBeLessThan(1e-5);
    }
  });

  it('folds transposes into Gemm for rank-2 operands', () => {
    const [m, k, n] = [12, 7, 10];
    const a = randomValues(m * k, 5); // [m, k]
    const b = randomValues(k * n, 6); // [k, n]
    const want = reference(a, b, { ba: 1, bb: 1, m, k, n });
    const transposed = (x: Float32Array, rows: number, cols: number) =>
      Float32Array.from({ length: rows * cols }, (_, i) => x[(i % rows) * cols + Math.floor(i / rows)]!);
    const aT = transposed(a, m, k); // [k, m]
    const bT = transposed(b, k, n); // [n, k]
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const out = new Float32Array(m * n);
      native.gemm({
        a: { data: ta ? aT : a, dims: ta ? [k, m] : [m, k] },
        b: { data: tb ? bT : b, dims: tb ? [n, k] : [k, n] },
        out: { data: out, dims: [m, n] },
        transposeA: ta,
        transposeB: tb,
      });
      expect(relativeError(out, want), `transposeA=${ta} transposeB=${tb}`).toBeLessThan(1e-5);
    }
  });

  it('refuses ranks it has no session for', () => {
    const x = new Float32Array(8);
    const bad = { a: { data: x, dims: [2, 2, 2, 1] }, b: { data: x, dims: [2, 2, 1, 2] }, out: { data: x, dims: [2, 2, 2, 2] } };
    expect(() => native.run(bad)).toThrow(/unsupported/);
    expect(() => native.gemm({ ...bad, transposeA: false, transposeB: false })).toThrow(/are not 2/);
  });
});
