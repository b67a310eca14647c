import { describe, expect, it } from 'vitest';
import { evalb, sentenceBrackets } from '../../../engine/metrics/evalb.ts';
import { parseTree } from '../../../engine/parsing/tree.ts';

const gold = parseTree('(ROOT (S (NP-SBJ (DT The) (NN cat)) (VP (VBD sat) (PP (IN on) (NP (DT the) (NN mat)))) (. .)))');

describe('evalb', () => {
  it('scores a tree against itself as perfect, ignoring ROOT and preterminals', () => {
    const s = evalb([gold], [gold]);
    expect(s).toMatchObject({ matched: 5, goldBrackets: 5, testBrackets: 5, f1: 1, exactMatches: 1 });
  });

  it('counts a misattached PP as one wrong bracket of five', () => {
    const test = parseTree('(ROOT (S (NP (XX The) (XX cat)) (VP (XX sat)) (PP (XX on) (NP (XX the) (XX mat))) (XX .)))');
    const s = evalb([gold], [test]);
    expect(s.matched).toBe(4);
    expect(s.precision).toBeCloseTo(0.8, 12);
    expect(s.recall).toBeCloseTo(0.8, 12);
    expect(s.f1).toBeCloseTo(0.8, 12);
    expect(s.exactMatches).toBe(0);
  });

  it('removes gold-tagged punctuation before taking spans', () => {
    // The test tree puts the full stop inside the VP; once "." is deleted the spans agree.
    const test = parseTree('(ROOT (S (NP (XX The) (XX cat)) (VP (XX sat) (PP (XX on) (NP (XX the) (XX mat))) (XX .))))');
    expect(sentenceBrackets(gold, test)).toEqual({ matched: 5, gold: 5, test: 5 });
  });

  it('treats function labels as their category and ADVP as PRT', () => {
    const g = parseTree('(ROOT (S (NP-SBJ (PRP I)) (VP (VBD gave) (PRT (RP up)))))');
    const t = parseTree('(ROOT (S (NP (XX I)) (VP (XX gave) (ADVP (XX up)))))');
    expect(sentenceBrackets(g, t)).toEqual({ matched: 4, gold: 4, test: 4 });
  });

  it('matches duplicated unary brackets as a multiset', () => {
    const g = parseTree('(ROOT (S (VP (VP (VB go)))))');
    const t = parseTree('(ROOT (S (VP (VB go))))');
    expect(sentenceBrackets(g, t)).toEqual({ matched: 2, gold: 3, test: 2 });
  });

  it('pools counts over the corpus and refuses different words', () => {
    const t = parseTree('(ROOT (FRAG (XX The) (XX cat) (XX sat) (XX on) (XX the) (XX mat) (XX .)))');
    const s = evalb([gold, gold], [gold, t]);
    expect(s).toMatchObject({ matched: 5, goldBrackets: 10, testBrackets: 6, sentences: 2 });
    expect(s.f1).toBeCloseTo((2 * (5 / 6) * 0.5) / (5 / 6 + 0.5), 12);
    const other = parseTree('(ROOT (S (NP (XX A) (XX dog)) (VP (XX sat) (PP (XX on) (NP (XX the) (XX mat)))) (XX .)))');
    expect(() => evalb([gold], [other])).toThrow(/word 0 differs/);
  });
});
