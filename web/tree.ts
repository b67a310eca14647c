// Bracketed (Penn Treebank style) trees: a small parser for the strings /api/parse returns, and a tidy
// layout for drawing them — words evenly spaced along the bottom, each label centred over its children.
// No DOM here, so node tests cover it; web/tree-svg.ts draws the layout.

/** A constituent: a label over words (strings) and smaller constituents. */
export interface TreeNode {
  label: string;
  children: (TreeNode | string)[];
}

export class TreeSyntaxError extends Error {
  constructor(
    message: string,
    /** Character offset in the input where the problem was seen. */
    readonly offset: number,
  ) {
    super(`${message} (at character ${offset})`);
    this.name = 'TreeSyntaxError';
  }
}

interface Token {
  kind: '(' | ')' | 'atom';
  text: string;
  offset: number;
}

function tokens(input: string): Token[] {
  const out: Token[] = [];
  const re = /[()]|[^\s()]+/gu;
  for (let m = re.exec(input); m; m = re.exec(input)) {
    const kind = m[0] === '(' || m[0] === ')' ? m[0] : 'atom';
    out.push({ kind, text: m[0], offset: m.index });
  }
  return out;
}

/** Deeper trees are refused, so drawing (which recurses) never runs out of stack on a hostile answer. */
export const maxTreeDepth = 500;

/**
 * Parses one bracketed tree, e.g. `(S (NP (DT the) (NN cat)) (VP (VBD sat)))`. A bracket may lack a
 * label, as the treebank's outer `( (S ...))` does (its label is then ""). Throws TreeSyntaxError for
 * anything that is not exactly one tree.
 */
export function parseTree(input: string): TreeNode {
  const list = tokens(input);
  if (list.length === 0) throw new TreeSyntaxError('empty tree', 0);
  if (list[0]!.kind !== '(') throw new TreeSyntaxError(`a tree starts with "(", not "${list[0]!.text}"`, list[0]!.offset);
  const stack: TreeNode[] = [];
  let root: TreeNode | null = null;
  for (let i = 0; i < list.length; i++) {
    const t = list[i]!;
    if (root) throw new TreeSyntaxError(`unexpected "${t.text}" after the tree's closing bracket`, t.offset);
    if (t.kind === '(') {
      const next = list[i + 1];
      const label = next?.kind === 'atom' ? next.text : '';
      if (next?.kind === 'atom') i++;
      const node: TreeNode = { label, children: [] };
      if (stack.length === maxTreeDepth) throw new TreeSyntaxError(`nested deeper than ${maxTreeDepth} brackets`, t.offset);
      stack.at(-1)?.children.push(node);
      stack.push(node);
    } else if (t.kind === ')') {
      const node = stack.pop();
      if (!node) throw new TreeSyntaxError('")" closes nothing', t.offset);
      if (node.children.length === 0) throw new TreeSyntaxError(`"(${node.label}" has no children`, t.offset);
      if (stack.length === 0) root = node;
    } else {
      stack.at(-1)!.children.push(t.text);
    }
  }
  if (!root) throw new TreeSyntaxError(`${stack.length} bracket${stack.length === 1 ? '' : 's'} left open`, input.length);
  return root;
}

/** The tree back as a one-line bracket string (normalised spacing). */
export function formatTree(node: TreeNode): string {
  const inner = node.children.map((c) => (typeof c === 'string' ? c : formatTree(c))).join(' ');
  return node.label ? `(${node.label} ${inner})` : `(${inner})`;
}

/** The words of the tree, left to right. */
export function treeWords(node: TreeNode): string[] {
  return node.children.flatMap((c) => (typeof c === 'string' ? [c] : treeWords(c)));
}

export interface LaidOutNode {
  kind: 'label' | 'word';
  text: string;
  /** Centre of the text, in layout units (CSS pixels when drawn). */
  x: number;
  y: number;
  /** Index of the parent in `nodes`; -1 for the root. */
  parent: number;
}

export interface TreeLayout {
  nodes: LaidOutNode[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Width of a text in layout units; the default guesses from its length. */
  measure?: (text: string) => number;
  /** Vertical distance between levels. */
  levelHeight?: number;
  /** Horizontal space between neighbouring words (and their one-word labels). */
  gap?: number;
  /** Narrowest slot a word gets, so short words still leave room for the lines above them. */
  minSlot?: number;
  margin?: number;
}

// The treebank writes brackets in words as these, so they cannot be mistaken for tree brackets.
const treebankEscapes: Record<string, string> = { '-LRB-': '(', '-RRB-': ')', '-LSB-': '[', '-RSB-': ']', '-LCB-': '{', '-RCB-': '}' };

/** A word as a reader wants to see it: "(" for the treebank's -LRB-, and so on. */
export function displayWord(word: string): string {
  return Object.hasOwn(treebankEscapes, word) ? treebankEscapes[word]! : word;
}

/**
 * Lays the tree out: words sit on the bottom row in order, an equal gap apart, each in a slot as wide
 * as the word or as the labels standing over it alone (a chain like NP → XX → "who"), so neither
 * words nor those labels overlap; a label sits at its depth, centred over the span of its children.
 * An unlabelled bracket (the treebank's outer one) is drawn as "·" so its children still hang from
 * something.
 */
export function layoutTree(root: TreeNode, options: LayoutOptions = {}): TreeLayout {
  const measure = options.measure ?? ((t: string) => 7.5 * [...t].length);
  const level = options.levelHeight ?? 56;
  const gap = options.gap ?? 16;
  const minSlot = options.minSlot ?? 28;
  const margin = options.margin ?? 12;
  const labelText = (n: TreeNode) => n.label || '·';

  // Pass 1: each word's slot width, and the number of levels.
  const slots: number[] = [];
  const measureSpan = (n: TreeNode): { first: number; words: number; depth: number } => {
    const first = slots.length;
    let depth = 0;
    for (const c of n.children) {
      if (typeof c === 'string') slots.push(Math.max(minSlot, measure(displayWord(c))) + gap);
      else depth = Math.max(depth, measureSpan(c).depth);
    }
    const words = slots.length - first;
    if (words === 1) slots[first] = Math.max(slots[first]!, measure(labelText(n)) + gap);
    return { first, words, depth: depth + 1 };
  };
  const rows = measureSpan(root).depth;
  const starts: number[] = [];
  let edge = margin;
  for (const w of slots) {
    starts.push(edge);
    edge += w;
  }

  // Pass 2, post-order: a label's x is known once its children are placed.
  const nodes: LaidOutNode[] = [];
  const rowY = (d: number) => margin + (d + 0.5) * level;
  let nextWord = 0;
  const place = (n: TreeNode, d: number, parent: number): number => {
    const index = nodes.push({ kind: 'label', text: labelText(n), x: 0, y: rowY(d), parent }) - 1;
    const xs = n.children.map((c) => {
      if (typeof c !== 'string') return place(c, d + 1, index);
      const i = nextWord++;
      const x = starts[i]! + slots[i]! / 2;
      nodes.push({ kind: 'word', text: displayWord(c), x, y: rowY(rows), parent: index });
      return x;
    });
    nodes[index]!.x = (xs[0]! + xs.at(-1)!) / 2;
    return nodes[index]!.x;
  };
  place(root, 0, -1);
  return { nodes, width: edge + margin, height: 2 * margin + (rows + 1) * level };
}
