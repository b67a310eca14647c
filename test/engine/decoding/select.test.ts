import { describe, expect, it } from 'vitest';
import { Random } from '../../../engine/random.ts';
import { argmax, TopK } from '../../../engine/decoding/select.ts';

describe('top-k selection', () => {
  it('keeps the k best of a row, best first, lowest index first on ties', () => {
    const rng = new Random(3);
    for (const k of [1, 2, 5, 17]) {
      // Few distinct values, so ties are common.
      const values = Float32Array.from({ length: 200 }, () => Math.floor(rng.next() * 20) - 20);
      values[7] = -Infinity;
      const topk = new TopK(k);
      values.forEach((v, i) => topk.push(v, i));
      const outValues = new Float64Array(k);
      const outIds = new Int32Array(k);
      expect(topk.drain(outValues, outIds)).toBe(k);
      const expected = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]! || a - b).slice(0, k);
      expect(Array.from(outIds)).toEqual(expected);
      expect(Array.from(outValues)).toEqual(expected.map((i) => values[i]));
      expect(topk.count).toBe(0);
    }
  });

  it('never keeps -Infinity or NaN candidates', () => {
    const topk = new TopK(4);
    [-Infinity, NaN, -1, -Infinity].forEach((v, i) => topk.push(v, i));
    const ids = new Int32Array(4);
    expect(topk.drain(new Float64Array(4), ids)).toBe(1);
    expect(ids[0]).toBe(2);
  });

  it('argmax takes the first maximum and reports a fully banned row', () => {
    expect(argmax(Float32Array.from([-3, -1, -1, -2]), 0, 4)).toBe(1);
    expect(argmax(Float32Array.from([0, -5, -1, -1]), 1, 4)).toBe(1);
    expect(argmax(Float32Array.from([-Infinity, -Infinity]), 0, 2)).toBe(-1);
  });
});
