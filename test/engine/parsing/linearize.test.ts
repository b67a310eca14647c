import { describe, expect, it } from 'vitest';
import { delinearize, linearize, type RepairKind } from '../../../engine/parsing/linearize.ts';
import { leaves, parseTree, printTree, type Tree } from '../../../engine/parsing/tree.ts';

/** Every constituent has a child and the leaves are exactly `words`, in order. */
function wellFormedOver(tree: Tree, words: readonly string[]): boolean {
  const nonEmpty = (t: Tree): boolean => t.kind === 'leaf' || (t.children.length > 0 && t.children.every(nonEmpty));
  return nonEmpty(tree) && JSON.stringify(leaves(tree).map((l) => l.word)) === JSON.stringify(words);
}

const kinds = (r: { repairs: { kind: RepairKind }[] }): RepairKind[] => r.repairs.map((x) => x.kind);

describe('linearize (Vinyals et al. 2014)', () => {
  const tree = parseTree('(ROOT (S (NP-SBJ (NNP John)) (VP (VBZ has) (NP (DT a) (NN dog))) (. .)))');

  it("writes the paper's sequence: labelled brackets, XX per word, no ROOT, no function labels", () => {
    expect(linearize(tree).join(' ')).toBe('(S (NP XX )NP (VP XX (NP XX XX )NP )VP XX )S');
  });

  it('can keep POS tags, function labels and bare closing brackets', () => {
    expect(linearize(tree, { tags: 'keep', stripFunctionLabels: false, labelClosing: false }).join(' ')).toBe(
      '(S (NP-SBJ NNP ) (VP VBZ (NP DT NN ) ) . )',
    );
  });

  it('refuses an unknown tag mode', () => {
    expect(() => linearize(tree, { tags: 'drop' as 'xx' })).toThrow(/tags must be/);
  });

  it('rebuilds the tree from its own sequence without repairs', () => {
    const words = ['John', 'has', 'a', 'dog', '.'];
    const back = delinearize(linearize(tree, { tags: 'keep', stripFunctionLabels: false }), words);
    expect(back.repaired).toBe(false);
    expect(printTree(back.tree)).toBe(printTree(tree));
  });
});

describe('delinearize repairs', () => {
  const words = ['the', 'cat', 'sat'];

  it('closes brackets left open', () => {
    const r = delinearize('(S (NP XX XX )NP (VP XX'.split(' '), words);
    expect(printTree(r.tree)).toBe('(ROOT (S (NP (XX the) (XX cat)) (VP (XX sat))))');
    expect(kinds(r)).toEqual(['unclosed']);
  });

  it('ignores closing brackets with nothing open and notes mismatched labels', () => {
    const r = delinearize('(S (NP XX XX )VP )S )S (VP XX )VP'.split(' '), words);
    expect(wellFormedOver(r.tree, words)).toBe(true);
    expect(kinds(r)).toEqual(['mismatched-close', 'extra-close']);
    expect(printTree(r.tree)).toBe('(ROOT (S (NP (XX the) (XX cat))) (VP (XX sat)))');
  });

  it('drops placeholders past the last word and attaches unplaced words', () => {
    const extra = delinearize('(S XX XX XX XX XX )S'.split(' '), words);
    expect(printTree(extra.tree)).toBe('(ROOT (S (XX the) (XX cat) (XX sat)))');
    expect(kinds(extra)).toEqual(['extra-word', 'extra-word']);
    const missing = delinearize('(S (NP XX )NP )S'.split(' '), words);
    expect(printTree(missing.tree)).toBe('(ROOT (S (NP (XX the)) (XX cat) (XX sat)))');
    expect(kinds(missing)).toEqual(['missing-word']);
  });

  it('drops empty constituents, nested ones included', () => {
    const r = delinearize('(S (NP (ADJP )ADJP )NP (NP XX XX XX )NP )S'.split(' '), words);
    expect(printTree(r.tree)).toBe('(ROOT (S (NP (XX the) (XX cat) (XX sat))))');
    expect(kinds(r)).toEqual(['empty-constituent', 'empty-constituent']);
  });

  it('builds a flat tree from a sequence with no brackets or no tokens at all', () => {
    expect(printTree(delinearize([], words).tree)).toBe('(ROOT (XX the) (XX cat) (XX sat))');
    expect(delinearize([], words).repaired).toBe(true);
  });

  it('always yields a well-formed tree over the input words for random sequences', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const vocab = ['(S', '(NP', '(VP', '(PP', '(', ')S', ')NP', ')VP', ')', 'XX', 'XX', 'XX', 'NN'];
    for (let trial = 0; trial < 500; trial++) {
      const ws = Array.from({ length: 1 + rand(8) }, (_, i) => `w${i}`);
      const seq = Array.from({ length: rand(25) }, () => vocab[rand(vocab.length)]!);
      const r = delinearize(seq, ws);
      expect(wellFormedOver(r.tree, ws), seq.join(' ')).toBe(true);
      expect(r.tree.label).toBe('ROOT');
    }
  });
});
