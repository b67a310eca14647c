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
  /** Horizontal space between neighbouring words. */
  gap?: number;
  margin?: number;
}

/**
 * Lays the tree out: words sit on the bottom row, evenly spaced (each slot as wide as the widest word
 * or label, so none overlap); a label sits at its depth, centred over the span of its children. An
 * unlabelled bracket (the treebank's outer one) is drawn as "·" so its children still hang from something.
 */
export function layoutTree(root: TreeNode, options: LayoutOptions = {}): TreeLayout {
  const measure = options.measure ?? ((t: string) => 7.5 * [...t].length);
  const level = options.levelHeight ?? 56;
  const gap = options.gap ?? 16;
  const margin = options.margin ?? 12;
  const words = treeWords(root);
  const labels: string[] = [];
  const collect = (n: TreeNode): void => {
    labels.push(n.label);
    for (const c of n.children) if (typeof c !== 'string') collect(c);
  };
  collect(root);
  // Labels count too: two one-word phrases side by side must not have their labels collide.
  const slot = Math.max(28, ...words.map(measure), ...labels.map(measure)) + gap;
  const depth = (n: TreeNode): number => 1 + Math.max(0, ...n.children.map((c) => (typeof c === 'string' ? 0 : depth(c))));
  const rows = depth(root);
  const nodes: LaidOutNode[] = [];
  let nextWord = 0;
  const rowY = (d: number) => margin + (d + 0.5) * level;
  const wordY = rowY(rows);
  // Post-order: a label's x is known once its children are placed.
  const place = (n: TreeNode, d: number, parent: number): number => {
    const index = nodes.push({ kind: 'label', text: n.label || '·', x: 0, y: rowY(d), parent }) - 1;
    const xs = n.children.map((c) => {
      if (typeof c !== 'string') return place(c, d + 1, index);
      const x = margin + slot * (nextWord++ + 0.5);
      nodes.push({ kind: 'word', text: c, x, y: wordY, parent: index });
      return x;
    });
    nodes[index]!.x = (xs[0]! + xs.at(-1)!) / 2;
    return nodes[index]!.x;
  };
  place(root, 0, -1);
  return { nodes, width: 2 * margin + slot * words.length, height: 2 * margin + (rows + 1) * level };
}
