import { describe, expect, it } from 'vitest';
import { baseLabel, parseTree, parseTrees, printTree, replaceTags, stripFunctionLabels, TreeSyntaxError, words } from '../../../engine/parsing/tree.ts';

describe('PTB trees', () => {
  const text = `(ROOT
  (S
    (NP-SBJ (DT A) (NN storm))
    (VP (VBD hit) (NP (-LRB- -LRB-) (NNP Mecca) (-RRB- -RRB-)))
    (. .)))`;

  it('parses a multi-line tree and prints it back on one line', () => {
    const tree = parseTree(text);
    expect(words(tree)).toEqual(['A', 'storm', 'hit', '-LRB-', 'Mecca', '-RRB-', '.']);
    const printed = printTree(tree);
    expect(printed).toBe('(ROOT (S (NP-SBJ (DT A) (NN storm)) (VP (VBD hit) (NP (-LRB- -LRB-) (NNP Mecca) (-RRB- -RRB-))) (. .)))');
    expect(parseTree(printed)).toEqual(tree);
  });

  it('splits trees that run together without a blank line', () => {
    const trees = parseTrees('(ROOT (NP (NN a)))(ROOT (NP (NN b)))\n\n(ROOT (X (SYM c)))');
    expect(trees.map(words)).toEqual([['a'], ['b'], ['c']]);
  });

  it('refuses unbalanced and malformed bracketing', () => {
    expect(() => parseTree('(ROOT (NP (NN a))')).toThrow(TreeSyntaxError);
    expect(() => parseTree('(ROOT (NN a b))')).toThrow(/more than one word/);
    expect(() => parseTree('(ROOT )')).toThrow(/empty constituent/);
  });

  it('reduces labels to their category, keeping -NONE- style labels', () => {
    expect(['NP-SBJ', 'PP-LOC-PRD', 'S-NOM=2', 'NP', '-NONE-', '-LRB-'].map(baseLabel)).toEqual(['NP', 'PP', 'S', 'NP', '-NONE-', '-LRB-']);
    const t = replaceTags(stripFunctionLabels(parseTree(text)), 'XX');
    expect(printTree(t)).toBe('(ROOT (S (NP (XX A) (XX storm)) (VP (XX hit) (NP (XX -LRB-) (XX Mecca) (XX -RRB-))) (XX .)))');
  });
});
