import { describe, expect, it } from 'vitest';
import { parseReport, tagAccuracy } from '../../../engine/metrics/parse-report.ts';
import { parseTree, type Tree } from '../../../engine/parsing/tree.ts';

// Worked by hand, evalb style (punctuation deleted by the gold tags, ROOT and preterminals no brackets):
// 1. 7 words. Gold S 0-6, NP 0-2, VP 2-6, PP 3-6, NP 4-6; the test leaves out NP 4-6: 4 of 4 test
//    brackets match, 4 of 5 gold. "at" tagged RB (gold IN).
// 2. 3 words. Gold and test S 0-2, NP 0-1, VP 1-2: exact. "cats" tagged NN (gold NNS).
// Sum: matched 7, test 7, gold 8: P 1, R 7/8, F1 14/15; exact 1 of 2; tags right 6/7 + 2/3 = 8 of 10.
const gold = [
  '(ROOT (S (NP (DT the) (NN dog)) (VP (VBZ barks) (PP (IN at) (NP (DT the) (NNS cats)))) (. .)))',
  '(ROOT (S (NP (NNS cats)) (VP (VBP sleep)) (. .)))',
].map(parseTree);
const test = [
  '(ROOT (S (NP (DT the) (NN dog)) (VP (VBZ barks) (PP (RB at) (DT the) (NNS cats))) (. .)))',
  '(ROOT (S (NP (NN cats)) (VP (VBP sleep)) (. .)))',
].map(parseTree);

/** A flat "(ROOT (L (XX w0) ... ))" over n words. */
const flat = (label: string, n: number): Tree => parseTree(`(ROOT (${label} ${Array.from({ length: n }, (_, i) => `(XX w${i})`).join(' ')}))`);

describe('parseReport', () => {
  it('gives the labelled-bracket F1, exact-match rate and tagging accuracy worked by hand', () => {
    const r = parseReport(gold, test, true);
    expect(r.precision).toBe(1);
    expect(r.recall).toBe(7 / 8);
    expect(r.f1).toBeCloseTo(14 / 15, 12);
    expect(r.exactMatch).toBe(0.5);
    expect(r.tagAccuracy).toBeCloseTo(0.8, 12);
  });

  it('scores the sentences of 5 to 18 words on their own: only the 7-word one here (P 1, R 4/5)', () => {
    const r = parseReport(gold, test, false);
    expect(r.words5to18).toEqual({ sentences: 1, f1: expect.closeTo(8 / 9, 12) });
  });

  it('includes 5 and 18 words and leaves out 4 and 19', () => {
    // Right at 5 and 18 words, wrong label at 4 and 19: the band is perfect, the whole half right.
    const golds = [4, 5, 18, 19].map((n) => flat('S', n));
    const tests = [flat('X', 4), flat('S', 5), flat('S', 18), flat('X', 19)];
    const r = parseReport(golds, tests, false);
    expect(r.words5to18).toEqual({ sentences: 2, f1: 1 });
    expect(r.f1).toBe(0.5);
    expect(r.exactMatch).toBe(0.5);
  });

  it('has no tagging accuracy for a parser that writes XX, and no band F1 without a sentence in it', () => {
    const r = parseReport([flat('S', 3)], [flat('S', 3)], false);
    expect(r).not.toHaveProperty('tagAccuracy');
    expect(r.words5to18).toEqual({ sentences: 0, f1: null });
    expect(r.exactMatch).toBe(1);
  });

  it('counts every word for tagging accuracy, punctuation included', () => {
    expect(tagAccuracy(gold, gold)).toBe(1);
    expect(tagAccuracy([flat('S', 4)], [parseTree('(ROOT (S (XX w0) (NN w1) (XX w2) (VB w3)))')])).toBe(0.5);
  });
});
