// The bracket parser and the tree layout behind the parse page, in node (no DOM).
import { describe, expect, it } from 'vitest';
import { formatTree, layoutTree, maxTreeDepth, parseTree, treeWords, TreeSyntaxError, type TreeNode } from '../../web/tree.ts';

const parse = 'We did not expect the results to be this good .'.split(' ');
// The parse-en answer quoted in README.md.
const shipped =
  '(ROOT (S (NP (XX We)) (VP (XX did) (XX not) (VP (XX expect) (NP (XX the) (XX results)) (VP (XX to) (VP (XX be) (NP (XX this) (XX good)))))) (XX .)))';

describe('parseTree', () => {
  it('reads labels, nesting and words in order', () => {
    const tree = parseTree('(S (NP (DT the) (NN cat)) (VP (VBD sat)))');
    expect(tree).toEqual({
      label: 'S',
      children: [
        { label: 'NP', children: [{ label: 'DT', children: ['the'] }, { label: 'NN', children: ['cat'] }] },
        { label: 'VP', children: [{ label: 'VBD', children: ['sat'] }] },
      ],
    });
  });

  it('gives back the words of a shipped parse and formats it back unchanged', () => {
    const tree = parseTree(shipped);
    expect(treeWords(tree)).toEqual(parse);
    expect(formatTree(tree)).toBe(shipped);
  });

  it('takes any whitespace, words directly under a phrase, and an unlabelled outer bracket', () => {
    const tree = parseTree(' ( (S\n\t(NP  I)\r\n  ran\u00a0fast ) ) ');
    expect(tree.label).toBe('');
    expect(tree.children).toEqual([{ label: 'S', children: [{ label: 'NP', children: ['I'] }, 'ran', 'fast'] }]);
    expect(formatTree(tree)).toBe('((S (NP I) ran fast))');
  });

  it('keeps treebank escapes, unicode and markup-like words as plain strings', () => {
    const tree = parseTree('(S (XX -LRB-) (XX 東京) (XX <img src=x onerror=alert`1`>) (XX 👩‍👩‍👧) (XX -RRB-))');
    expect(treeWords(tree)).toEqual(['-LRB-', '東京', '<img', 'src=x', 'onerror=alert`1`>', '👩‍👩‍👧', '-RRB-']);
  });

  it.each([
    ['', 'empty tree'],
    ['   ', 'empty tree'],
    ['S (NP I)', 'a tree starts with "("'],
    ['(S (NP I)', '1 bracket left open'],
    ['(S (NP (X I)', '2 brackets left open'],
    ['(S (NP I)))', 'unexpected ")" after'],
    ['(S (NP I)) (S (NP you))', 'unexpected "(" after'],
    ['(S (NP I)) trailing', 'unexpected "trailing" after'],
    ['(S (NP))', '"(NP" has no children'],
    ['()', '"(" has no children'],
  ])('refuses %j: %s', (input, message) => {
    expect(() => parseTree(input)).toThrow(TreeSyntaxError);
    expect(() => parseTree(input)).toThrow(message);
  });

  it('says where the problem is', () => {
    try {
      parseTree('(S (NP I)) x');
      expect.unreachable();
    } catch (e) {
      expect((e as TreeSyntaxError).offset).toBe(11);
    }
  });

  it('refuses a tree nested deeper than the limit, and reads one at the limit', () => {
    const nested = (n: number) => `${'(X '.repeat(n)}w${')'.repeat(n)}`;
    expect(treeWords(parseTree(nested(maxTreeDepth)))).toEqual(['w']);
    expect(() => parseTree(nested(maxTreeDepth + 1))).toThrow(`nested deeper than ${maxTreeDepth}`);
    expect(() => parseTree('('.repeat(100_000))).toThrow(TreeSyntaxError);
  });
});

describe('layoutTree', () => {
  const tree = parseTree(shipped);
  const layout = layoutTree(tree, { measure: (t) => 8 * t.length, levelHeight: 50, gap: 10, margin: 5 });
  const words = layout.nodes.filter((n) => n.kind === 'word');
  const labels = layout.nodes.filter((n) => n.kind === 'label');

  const count = (n: TreeNode): number => 1 + n.children.reduce((s, c) => s + (typeof c === 'string' ? 0 : count(c)), 0);

  it('has one node per word and one per label, words in sentence order', () => {
    expect(words.map((w) => w.text)).toEqual(parse);
    expect(labels.length).toBe(count(tree));
    expect(labels[0]).toMatchObject({ text: 'ROOT', parent: -1 });
  });

  it('puts the words on one bottom row in order, each in a slot as wide as it plus the gap', () => {
    let left = 5;
    words.forEach((w, i) => {
      const slot = Math.max(28, 8 * parse[i]!.length) + 10;
      expect(w.x).toBeCloseTo(left + slot / 2);
      left += slot;
    });
    expect(layout.width).toBeCloseTo(left + 5);
    expect(new Set(words.map((w) => w.y)).size).toBe(1);
    expect(Math.max(...labels.map((l) => l.y))).toBeLessThan(words[0]!.y);
  });

  it('centres each label over its first and last child, one level below its parent', () => {
    layout.nodes.forEach((node, i) => {
      if (node.kind !== 'label') return;
      const children = layout.nodes.filter((c) => c.parent === i);
      expect(children.length).toBeGreaterThan(0);
      expect(node.x).toBeCloseTo((children[0]!.x + children.at(-1)!.x) / 2);
      for (const c of children) if (c.kind === 'label') expect(c.y - node.y).toBeCloseTo(50);
    });
  });

  it('fits every node inside its width and height', () => {
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThan(0);
      expect(n.x).toBeLessThan(layout.width);
      expect(n.y).toBeGreaterThan(0);
      expect(n.y).toBeLessThan(layout.height);
    }
  });

  it('widens a word’s slot for a label standing over it alone, not for one over several words', () => {
    const m = { measure: (t: string) => 8 * t.length, gap: 10, minSlot: 0, margin: 0 };
    const wide = layoutTree(parseTree('(S (VERYLONGLABEL (X a)) (B b))'), m);
    const [a, b] = wide.nodes.filter((n) => n.kind === 'word');
    expect(a!.x).toBeCloseTo((8 * 'VERYLONGLABEL'.length + 10) / 2);
    expect(b!.x - a!.x).toBeCloseTo((8 * 'VERYLONGLABEL'.length + 10) / 2 + (8 + 10) / 2);
    const over2 = layoutTree(parseTree('(S (VERYLONGLABEL a b))'), m);
    expect(over2.width).toBeCloseTo(2 * 18);
  });

  it('shows treebank bracket escapes as the brackets they stand for', () => {
    const escaped = layoutTree(parseTree('(S (XX -LRB-) (XX hi) (XX -RRB-) (XX -LCB-) (XX -LRB-x))'));
    expect(escaped.nodes.filter((n) => n.kind === 'word').map((n) => n.text)).toEqual(['(', 'hi', ')', '{', '-LRB-x']);
  });

  it('draws an unlabelled bracket as a dot, and a single word under the root', () => {
    const small = layoutTree(parseTree('( (NP hi))'));
    expect(small.nodes.map((n) => [n.kind, n.text])).toEqual([['label', '·'], ['label', 'NP'], ['word', 'hi']]);
    expect(small.nodes[0]!.x).toBeCloseTo(small.nodes[2]!.x);
  });
});
