import { describe, expect, it } from 'vitest';
import { decode } from '../../../engine/decoding/index.ts';
import { best, enumerate } from './helpers/brute-force.ts';
import { logNormalise, randomNext, SPECIALS, TableModel } from './helpers/table-model.ts';

const { eos } = SPECIALS;
const V = 6;

/** Greedy takes 4 (p=.5) then is stuck with a flat tail; 5 (p=.4) leads to a certain ending. */
function trapModel(): TableModel {
  return new TableModel({
    vocabSize: V,
    next: (_s, prefix) => {
      if (prefix.length === 0) return logNormalise([0, 0, 0.05, 0.05, 0.5, 0.4]);
      if (prefix.length === 1 && prefix[0] === 4) return logNormalise([0, 0, 0.25, 0.25, 0.25, 0.25]);
      if (prefix.length === 1 && prefix[0] === 5) return logNormalise([0, 0, 0.97, 0.01, 0.01, 0.01]);
      return logNormalise([0, 0, 0.9, 0.05, 0.03, 0.02]);
    },
  });
}

describe('beam search', () => {
  it('with width 1 equals greedy decoding, tokens and scores', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const model = new TableModel({ vocabSize: 7, next: randomNext(7, seed) });
      const source = [4, 5, seed % 7];
      const [greedy] = await decode(model, [{ source, options: { strategy: 'greedy', maxLength: 6 } }]);
      const [beam1] = await decode(model, [{ source, options: { strategy: 'beam', beamSize: 1, maxLength: 6 } }]);
      expect(beam1!.tokens).toEqual(greedy!.tokens);
      expect(beam1!.logProb).toBeCloseTo(greedy!.logProb, 5);
      expect(model.live.size).toBe(0);
    }
  });

  it('finds a sequence that greedy misses', async () => {
    const model = trapModel();
    const [greedy] = await decode(model, [{ source: [3], options: { strategy: 'greedy' } }]);
    const [beam] = await decode(model, [{ source: [3], options: { beamSize: 2 } }]);
    expect(greedy!.tokens[0]).toBe(4);
    expect(beam!.tokens).toEqual([5]);
    expect(beam!.logProb).toBeGreaterThan(greedy!.logProb);
    expect(beam!.logProb).toBeCloseTo(Math.log(0.4) + Math.log(0.97), 5);
  });

  it('returns the exact argmax when the width covers every candidate', async () => {
    for (let seed = 11; seed <= 15; seed++) {
      const next = randomNext(V, seed, 1);
      const model = new TableModel({ vocabSize: V, next });
      const source = [5, 4];
      const all = enumerate({ vocabSize: V, next: (p) => next(source, p), minLength: 0, maxLength: 3 });
      const [result] = await decode(model, [{ source, options: { beamSize: 64, minLength: 0, maxLength: 3, nBest: 5 } }]);
      const top = [...all].sort((a, b) => b.logProb - a.logProb).slice(0, 5);
      expect(result!.tokens).toEqual(best(all, (s) => s.logProb).tokens);
      expect(result!.nBest!.map((h) => h.tokens)).toEqual(top.map((s) => s.tokens));
      expect(result!.nBest!.map((h) => h.score)).toEqual(top.map((s) => expect.closeTo(s.logProb, 4)));
    }
  });

  it('returns an n-best list sorted by score with per-token log-probabilities summing to the total', async () => {
    const model = new TableModel({ vocabSize: 8, next: randomNext(8, 3) });
    const [r] = await decode(model, [{ source: [4, 5, 6], options: { beamSize: 4, nBest: 4, maxLength: 5 } }]);
    expect(r!.nBest).toHaveLength(4);
    const scores = r!.nBest!.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const h of r!.nBest!) {
      expect(h.tokenLogProbs).toHaveLength(h.tokens.length);
      expect(h.tokenLogProbs.reduce((a, b) => a + b, 0) + h.eosLogProb).toBeCloseTo(h.logProb, 4);
    }
    expect(new Set(r!.nBest!.map((h) => h.tokens.join(' '))).size).toBe(4);
  });
});

describe('EOS and length limits', () => {
  const eosFirst = () =>
    new TableModel({ vocabSize: V, next: (_s, p) => logNormalise(p.length < 4 ? [0, 0, 0.7, 0.1, 0.1, 0.1] : [0, 0, 0.1, 0.3, 0.3, 0.3]) });

  it('stops a hypothesis at EOS', async () => {
    const [r] = await decode(eosFirst(), [{ source: [4], options: { strategy: 'greedy', minLength: 0 } }]);
    expect(r!.tokens).toEqual([]);
    expect(r!.eosLogProb).toBeCloseTo(Math.log(0.7), 5);
  });

  it('does not end before min length (absolute or as a ratio of the source)', async () => {
    for (const strategy of ['greedy', 'beam'] as const) {
      const [a] = await decode(eosFirst(), [{ source: [4], options: { strategy, minLength: 2 } }]);
      expect(a!.tokens).toHaveLength(2);
      const [b] = await decode(eosFirst(), [{ source: [4, 4, 4], options: { strategy, minLength: 0, minLengthRatio: 1 } }]);
      expect(b!.tokens).toHaveLength(3);
    }
  });

  it('never returns an empty result when max length comes before EOS', async () => {
    const neverEnds = new TableModel({ vocabSize: V, next: () => logNormalise([0, 0, 1e-9, 0.3, 0.3, 0.4]) });
    for (const options of [{ strategy: 'greedy' }, { beamSize: 4, nBest: 3 }, { strategy: 'sample', nBest: 2, seed: 3 }, { strategy: 'diverse-beam', beamSize: 4, beamGroups: 2 }]) {
      const [r] = await decode(neverEnds, [{ source: [4, 4], options: { ...options, maxLength: 5 } }]);
      expect(r!.tokens).toHaveLength(5);
      expect(Number.isFinite(r!.logProb)).toBe(true);
      if (r!.nBest) expect(r!.nBest.length).toBeGreaterThan(0);
      const [ratio] = await decode(neverEnds, [{ source: [4, 4], options: { ...options, maxLength: 50, maxLengthRatio: 1.5 } }]);
      expect(ratio!.tokens).toHaveLength(3);
    }
    expect(neverEnds.live.size).toBe(0);
  });

  it('takes length ratios of the source tokens, not of the positions a model encodes (EOS appended)', async () => {
    /** Reports one more source position per row, as the tfjs and ONNX models do after appending EOS. */
    class WithEos extends TableModel {
      override sourceLengths(state: Parameters<TableModel['sourceLengths']>[0]): number[] {
        return super.sourceLengths(state).map((n) => n + 1);
      }
    }
    const neverEnds = new WithEos({ vocabSize: V, next: () => logNormalise([0, 0, 1e-9, 0.3, 0.3, 0.4]) });
    const endsAtOnce = new WithEos({ vocabSize: V, next: () => logNormalise([0, 0, 0.97, 0.01, 0.01, 0.01]) });
    for (const strategy of ['greedy', 'beam'] as const) {
      const [max] = await decode(neverEnds, [{ source: [4, 4], options: { strategy, maxLength: 50, maxLengthRatio: 1.5 } }]);
      expect(max!.tokens).toHaveLength(3);
      const [min] = await decode(endsAtOnce, [{ source: [4, 4, 4], options: { strategy, minLength: 0, minLengthRatio: 1 } }]);
      expect(min!.tokens).toHaveLength(3);
    }
  });

  it('ends hypotheses whose every continuation is banned instead of returning nothing', async () => {
    const model = new TableModel({ vocabSize: 5, next: () => logNormalise([0, 0, 0.01, 0.01, 0.98]) });
    for (const strategy of ['greedy', 'beam'] as const) {
      const [r] = await decode(model, [{ source: [4], options: { strategy, minLength: 3, noRepeatNgram: 1, suppressUnk: true } }]);
      expect(r!.tokens).toEqual([4]);
    }
  });
});
