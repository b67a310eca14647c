import { describe, expect, it } from 'vitest';
import { decode } from '../../../engine/decoding/index.ts';
import { COVERAGE_FLOOR, coverageSum, lengthNormalised } from '../../../engine/decoding/penalties.ts';
import { enumerate, type Scored } from './helpers/brute-force.ts';
import { randomNext, TableModel } from './helpers/table-model.ts';

const V = 6;
const source = [4, 5, 3];

/** Attention that wanders over the source depending on the prefix. */
function attentionOf(src: number[], prefix: number[]): number[] {
  const w = src.map((_, i) => 1 + ((prefix.reduce((a, b) => a * 7 + b, 3) + i * 5) % 4) * 2);
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

function coverageOf(s: Scored): number {
  const cov = new Float64Array(source.length);
  for (let t = 0; t < s.tokens.length; t++) attentionOf(source, s.tokens.slice(0, t)).forEach((a, i) => (cov[i]! += a));
  return Array.from(cov).reduce((acc, c) => acc + Math.log(Math.max(Math.min(c, 1), COVERAGE_FLOOR)), 0);
}

async function ranked(seed: number, options: object): Promise<number[][]> {
  const next = randomNext(V, seed, 1);
  const model = new TableModel({ vocabSize: V, next, attention: attentionOf });
  const [r] = await decode(model, [{ source, options: { beamSize: 64, nBest: 6, minLength: 0, maxLength: 3, ...options } }]);
  return r!.nBest!.map((h) => h.tokens);
}

function expected(seed: number, score: (s: Scored) => number): number[][] {
  const next = randomNext(V, seed, 1);
  const all = enumerate({ vocabSize: V, next: (p) => next(source, p), minLength: 0, maxLength: 3 });
  return all.sort((a, b) => score(b) - score(a)).slice(0, 6).map((s) => s.tokens);
}

describe('length and coverage penalties', () => {
  it('computes GNMT lp and the word reward as the formulas say', () => {
    expect(lengthNormalised(-3, 4, { kind: 'gnmt', alpha: 0.6 })).toBeCloseTo(-3 / Math.pow(9 / 6, 0.6), 10);
    expect(lengthNormalised(-3, 4, { kind: 'word-reward', reward: 0.5 })).toBeCloseTo(-1, 10);
    expect(coverageSum(Float64Array.from([0.5, 2, 1]))).toBeCloseTo(Math.log(0.5), 10);
    expect(coverageSum(Float64Array.from([0, 1]))).toBeCloseTo(Math.log(COVERAGE_FLOOR), 10);
  });

  it('reorders hypotheses by log P / ((5+|Y|)/6)^α', async () => {
    let changed = false;
    for (let seed = 21; seed <= 25; seed++) {
      const plain = await ranked(seed, {});
      const gnmt = await ranked(seed, { lengthPenalty: { kind: 'gnmt', alpha: 2 } });
      expect(gnmt).toEqual(expected(seed, (s) => s.logProb / Math.pow((5 + s.tokens.length + 1) / 6, 2)));
      changed ||= JSON.stringify(plain) !== JSON.stringify(gnmt);
    }
    expect(changed).toBe(true);
  });

  it('reorders hypotheses by log P + reward·|Y|', async () => {
    for (let seed = 31; seed <= 33; seed++) {
      const got = await ranked(seed, { lengthPenalty: { kind: 'word-reward', reward: 1.5 } });
      expect(got).toEqual(expected(seed, (s) => s.logProb + 1.5 * (s.tokens.length + 1)));
    }
  });

  it('adds β·Σ_i log(min(Σ_j p_ij, 1)) from the attention', async () => {
    let changed = false;
    for (let seed = 41; seed <= 44; seed++) {
      const plain = await ranked(seed, {});
      const covered = await ranked(seed, { coveragePenalty: 3 });
      expect(covered).toEqual(expected(seed, (s) => s.logProb + 3 * coverageOf(s)));
      changed ||= JSON.stringify(plain) !== JSON.stringify(covered);
    }
    expect(changed).toBe(true);
  });

  it('returns the attention row of every output token', async () => {
    const model = new TableModel({ vocabSize: V, next: randomNext(V, 5), attention: attentionOf });
    const [r] = await decode(model, [{ source, options: { strategy: 'greedy', returnAttention: true, maxLength: 4 } }]);
    expect(r!.attention).toHaveLength(r!.tokens.length);
    r!.attention!.forEach((row, t) => row.forEach((a, i) => expect(a).toBeCloseTo(attentionOf(source, r!.tokens.slice(0, t))[i]!, 6)));
  });

  it('returns no attention when the model has none', async () => {
    const model = new TableModel({ vocabSize: V, next: randomNext(V, 5) });
    const [r] = await decode(model, [{ source, options: { beamSize: 2, returnAttention: true, maxLength: 4 } }]);
    expect(r!.attention).toBeUndefined();
  });

  it('refuses a coverage penalty when the model has no attention', async () => {
    const model = new TableModel({ vocabSize: V, next: randomNext(V, 5) });
    await expect(decode(model, [{ source, options: { coveragePenalty: 1 } }])).rejects.toThrow(/coveragePenalty/);
    expect(model.live.size).toBe(0);
  });
});
