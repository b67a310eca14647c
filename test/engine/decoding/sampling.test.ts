import { describe, expect, it } from 'vitest';
import { decode } from '../../../engine/decoding/index.ts';
import { Random } from '../../../engine/random.ts';
import { Sampler } from '../../../engine/decoding/sampling.ts';
import { randomNext, TableModel } from './helpers/table-model.ts';

const V = 12;

function row(seed: number): Float32Array {
  return Float32Array.from(randomNext(V, seed, 1)([seed], []));
}

function draws(sampler: Sampler, r: Float32Array, n: number): number[] {
  return Array.from({ length: n }, () => sampler.pick(r, 0));
}

describe('sampling', () => {
  it('is reproducible from its seed and reports the seed it drew', async () => {
    const model = new TableModel({ vocabSize: V, next: randomNext(V, 7, 0.5) });
    const request = { source: [4, 5], options: { strategy: 'sample', seed: 1234, nBest: 4, maxLength: 12 } };
    const [a] = await decode(model, [request]);
    const [b] = await decode(model, [request]);
    expect(a!.nBest!.map((h) => h.tokens)).toEqual(b!.nBest!.map((h) => h.tokens));
    expect(a!.seed).toBe(1234);
    const [c] = await decode(model, [{ source: [4, 5], options: { strategy: 'sample', seed: 99, nBest: 4, maxLength: 12 } }]);
    expect(c!.nBest!.map((h) => h.tokens)).not.toEqual(a!.nBest!.map((h) => h.tokens));
    const [unseeded] = await decode(model, [{ source: [4, 5], options: { strategy: 'sample', maxLength: 12 } }]);
    const [replayed] = await decode(model, [{ source: [4, 5], options: { strategy: 'sample', maxLength: 12, seed: unseeded!.seed } }]);
    expect(replayed!.tokens).toEqual(unseeded!.tokens);
  });

  it('samples the likeliest token at a temperature so small that 1/T is infinite (5e-324), with or without top-k/top-p', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = row(seed);
      const best = Array.from(r.keys()).reduce((a, b) => (r[b]! > r[a]! ? b : a), 0);
      for (const o of [{ topK: 0, topP: 1 }, { topK: 4, topP: 1 }, { topK: 0, topP: 0.5 }, { topK: 4, topP: 0.5 }]) {
        const sampler = new Sampler(V, { temperature: 5e-324, ...o }, new Random(seed));
        expect(new Set(draws(sampler, r, 50)), JSON.stringify(o)).toEqual(new Set([best]));
      }
    }
  });

  it('top-k never emits a token outside the k best', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = row(seed);
      const order = Array.from(r.keys()).sort((a, b) => r[b]! - r[a]!);
      const sampler = new Sampler(V, { temperature: 3, topK: 3, topP: 1 }, new Random(seed));
      const seen = new Set(draws(sampler, r, 400));
      expect([...seen].every((t) => order.slice(0, 3).includes(t))).toBe(true);
      expect(seen.size).toBe(3);
    }
  });

  it('top-p draws only from the smallest set reaching p', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = row(seed);
      const order = Array.from(r.keys()).sort((a, b) => r[b]! - r[a]!);
      for (const topK of [0, 8]) {
        // Top-k first, then the nucleus of the renormalised k best (as Hugging Face's warpers do).
        const kept = order.slice(0, topK || V);
        const total = kept.reduce((a, t) => a + Math.exp(r[t]!), 0);
        let mass = 0;
        let size = 0;
        while (mass < 0.7 * total) mass += Math.exp(r[order[size++]!]!);
        const sampler = new Sampler(V, { temperature: 1, topK, topP: 0.7 }, new Random(seed));
        const seen = new Set(draws(sampler, r, 600));
        expect([...seen].every((t) => order.slice(0, size).includes(t))).toBe(true);
        expect(seen.size).toBe(size);
      }
    }
  });

  it('follows the tempered distribution', () => {
    const r = Float32Array.from([-Infinity, -Infinity, Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
    for (const temperature of [1, 2]) {
      const sampler = new Sampler(5, { temperature, topK: 0, topP: 1 }, new Random(5));
      const counts = [0, 0, 0, 0, 0];
      for (const t of draws(sampler, r, 20000)) counts[t]!++;
      const w = [0.5, 0.3, 0.2].map((p) => Math.pow(p, 1 / temperature));
      const z = w.reduce((a, b) => a + b, 0);
      w.forEach((x, i) => expect(counts[i + 2]! / 20000).toBeCloseTo(x / z, 1));
      expect(counts[0]! + counts[1]!).toBe(0);
    }
  });

  it('reports the model log-probabilities of sampled tokens, not the tempered ones', async () => {
    const next = randomNext(V, 3);
    const model = new TableModel({ vocabSize: V, next });
    const [r] = await decode(model, [{ source: [4], options: { strategy: 'sample', seed: 5, temperature: 3, maxLength: 5 } }]);
    r!.tokens.forEach((t, i) => expect(r!.tokenLogProbs[i]).toBeCloseTo(next([4], r!.tokens.slice(0, i))[t]!, 5));
  });
});
