import { describe, expect, it } from 'vitest';
import { decode, scoreTargets } from '../../../engine/decoding/index.ts';
import { enumerate } from './helpers/brute-force.ts';
import { randomNext, SPECIALS, TableModel } from './helpers/table-model.ts';

const V = 6;
const source = [4, 3];
const conditional = randomNext(V, 51, 1);
/** The language model U(T): a different distribution that ignores any source. */
const lm = randomNext(V, 52, 1.5);
const next = (s: number[] | null, p: number[]) => (s === null ? lm(null, p) : conditional(s, p));

function antiLmScore(tokens: number[], lambda: number, gamma: number): number {
  const seq = [...tokens, SPECIALS.eos];
  return seq.reduce((acc, t, i) => acc + conditional(source, seq.slice(0, i))[t]! - (i < gamma ? lambda * lm(null, seq.slice(0, i))[t]! : 0), 0);
}

describe('MMI-antiLM (Li et al. 2016)', () => {
  it('greedy takes argmax of log p(t|S) − λ·log U(t) for the first γ tokens, plain log p after', async () => {
    const model = new TableModel({ vocabSize: V, next, unconditional: true });
    const lambda = 0.8;
    const gamma = 2;
    const [r] = await decode(model, [{ source, options: { strategy: 'greedy', minLength: 0, maxLength: 5, mmiAntiLm: { lambda, gamma } } }]);
    const expected: number[] = [];
    for (let t = 0; t < 6; t++) {
      const lp = conditional(source, expected);
      const u = lm(null, expected);
      const adj = lp.map((x, v) => (v === SPECIALS.pad || v === SPECIALS.bos ? -Infinity : x - (t < gamma ? lambda * u[v]! : 0)));
      const pick = adj.indexOf(Math.max(...adj));
      if (pick === SPECIALS.eos || t === 5) break;
      expected.push(pick);
    }
    expect(r!.tokens).toEqual(expected);
    expect(model.live.size).toBe(0);
  });

  it('beam search with full width returns the argmax of the MMI-antiLM score', async () => {
    const model = new TableModel({ vocabSize: V, next, unconditional: true });
    const all = enumerate({ vocabSize: V, next: (p) => conditional(source, p), minLength: 0, maxLength: 3 });
    let changed = false;
    for (const [lambda, gamma] of [[0.5, 1], [1, 2], [0.9, 4]] as const) {
      const [r] = await decode(model, [{ source, options: { beamSize: 64, nBest: 4, minLength: 0, maxLength: 3, mmiAntiLm: { lambda, gamma } } }]);
      const top = [...all].sort((a, b) => antiLmScore(b.tokens, lambda, gamma) - antiLmScore(a.tokens, lambda, gamma)).slice(0, 4);
      expect(r!.nBest!.map((h) => h.tokens)).toEqual(top.map((s) => s.tokens));
      expect(r!.score).toBeCloseTo(antiLmScore(top[0]!.tokens, lambda, gamma), 4);
      expect(r!.logProb).toBeCloseTo(top[0]!.logProb, 4);
      changed ||= JSON.stringify(top[0]!.tokens) !== JSON.stringify(all.sort((a, b) => b.logProb - a.logProb)[0]!.tokens);
    }
    expect(changed).toBe(true);
    expect(model.live.size).toBe(0);
  });

  it('is refused for a model without an unconditional mode', async () => {
    const model = new TableModel({ vocabSize: V, next });
    await expect(decode(model, [{ source, options: { mmiAntiLm: { lambda: 0.5, gamma: 2 } } }])).rejects.toThrow(/mmiAntiLm/);
  });
});

describe('MMI-bidi reranking', () => {
  const backwardNext = randomNext(V, 61, 1.5);
  const backward = () => new TableModel({ vocabSize: V, next: backwardNext });

  it('scores a given target by teacher forcing through the step interface', async () => {
    const model = backward();
    const [a, b] = await scoreTargets(model, [[4, 5], [3]], [[5, 3, 4], []]);
    const expectA = [5, 3, 4, SPECIALS.eos].reduce((acc, t, i, seq) => acc + backwardNext([4, 5], seq.slice(0, i))[t]!, 0);
    expect(a).toBeCloseTo(expectA, 4);
    expect(b).toBeCloseTo(backwardNext([3], [])[SPECIALS.eos]!, 5);
    expect(model.live.size).toBe(0);
  });

  it('reorders the candidates by score + λ·log p(S|T)', async () => {
    const forward = new TableModel({ vocabSize: V, next });
    const options = { beamSize: 6, nBest: 6, maxLength: 3, returnNBest: true };
    const [plain] = await decode(forward, [{ source, options }]);
    const bwd = backward();
    const [reranked] = await decode(forward, [{ source, options: { ...options, mmiBidi: { lambda: 2 } } }], { backwardModel: bwd });
    const backwardLogProb = (t: number[]) => [...source, SPECIALS.eos].reduce((acc, s, i, seq) => acc + backwardNext(t, seq.slice(0, i))[s]!, 0);
    const expected = [...plain!.nBest!].sort((a, b) => b.score + 2 * backwardLogProb(b.tokens) - (a.score + 2 * backwardLogProb(a.tokens)));
    expect(reranked!.nBest!.map((h) => h.tokens)).toEqual(expected.map((h) => h.tokens));
    expect(reranked!.backwardLogProb).toBeCloseTo(backwardLogProb(reranked!.tokens), 4);
    expect(reranked!.nBest!.map((h) => h.tokens)).not.toEqual(plain!.nBest!.map((h) => h.tokens));
    expect(bwd.live.size).toBe(0);
  });

  it('is refused without a backward model', async () => {
    const forward = new TableModel({ vocabSize: V, next });
    await expect(decode(forward, [{ source, options: { mmiBidi: { lambda: 1 } } }])).rejects.toThrow(/mmiBidi/);
  });
});
