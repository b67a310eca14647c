import { describe, expect, it } from 'vitest';
import { decode } from '../../../engine/decoding/index.ts';
import { logNormalise, TableModel } from './helpers/table-model.ts';

/** One first token dominates, then EOS or one more token; plain beams all share that first token. */
const dominated = () =>
  new TableModel({
    vocabSize: 9,
    next: (_s, p) => {
      if (p.length === 0) return logNormalise([0, 0, 0.001, 0.01, 0.85, 0.05, 0.04, 0.03, 0.02]);
      if (p.length === 1) return logNormalise([0, 0, 0.4, 0.05, 0.1, 0.15, 0.1, 0.1, 0.1]);
      return logNormalise([0, 0, 0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01]);
    },
  });

const firstTokens = (tokens: number[][]) => new Set(tokens.map((t) => t[0]));

describe('diverse beam search', () => {
  it('plain beam search spends its width on one first token', async () => {
    const [r] = await decode(dominated(), [{ source: [3], options: { beamSize: 4, nBest: 4 } }]);
    expect(firstTokens(r!.nBest!.map((h) => h.tokens)).size).toBe(1);
  });

  it('gives groups distinct hypotheses under a diversity penalty', async () => {
    const [r] = await decode(dominated(), [{ source: [3], options: { strategy: 'diverse-beam', beamSize: 4, beamGroups: 4, nBest: 4, diversityStrength: 5 } }]);
    expect(firstTokens(r!.nBest!.map((h) => h.tokens)).size).toBe(4);
    expect(r!.tokens[0]).toBe(4);
  });

  it('without the penalty its groups repeat each other', async () => {
    const [r] = await decode(dominated(), [{ source: [3], options: { strategy: 'diverse-beam', beamSize: 4, beamGroups: 2, nBest: 4, diversityStrength: 0 } }]);
    const texts = r!.nBest!.map((h) => h.tokens.join(' '));
    expect(new Set(texts).size).toBe(2);
  });

  it('lowers a later group by λ per earlier choice of the same token (Hamming diversity)', async () => {
    const run = async (diversityStrength: number) => {
      const [r] = await decode(dominated(), [{ source: [3], options: { strategy: 'diverse-beam', beamSize: 2, beamGroups: 2, nBest: 2, diversityStrength, maxLength: 1 } }]);
      return r!.nBest!;
    };
    // Group 1 takes 4. Group 2's 4 scores log .85 − λ against log .05 for 5: 5 wins once λ > log 17.
    const strong = await run(3);
    expect(strong.map((h) => h.tokens[0]).sort()).toEqual([4, 5]);
    for (const h of strong) expect(h.score).toBeCloseTo(h.logProb, 5);
    const weak = await run(2.5);
    expect(weak.map((h) => h.tokens[0])).toEqual([4, 4]);
    expect(weak[0]!.score).toBeCloseTo(weak[0]!.logProb, 5);
    expect(weak[1]!.score).toBeCloseTo(weak[1]!.logProb - 2.5, 4);
  });
});
