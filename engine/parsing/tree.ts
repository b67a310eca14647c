// Penn-Treebank constituency trees: parse bracketed text (one or more trees, blank-line separated or
// run together as in GUM's .ptb files), print them back, and the small tree utilities parsing needs.

/** A constituent: a label over children, or a preterminal: a POS tag over exactly one word. */
export type Tree = Constituent | Preterminal;
export interface Constituent {
  kind: 'node';
  label: string;
  children: Tree[];
}
export interface Preterminal {
  kind: 'leaf';
  tag: string;
  word: string;
}

export class TreeSyntaxError extends Error {}

const TOKEN = /\(|\)|[^\s()]+/g;

/** Parses every tree in `text`. Throws TreeSyntaxError on unbalanced or malformed bracketing. */
export function parseTrees(text: string): Tree[] {
  const tokens = text.match(TOKEN) ?? [];
  const trees: Tree[] = [];
  let pos = 0;
  const parse = (): Tree => {
    if (tokens[pos] !== '(') throw new TreeSyntaxError(`expected "(" at token ${pos}, found ${tokens[pos] ?? 'end'}`);
    pos++;
    let label = '';
    if (tokens[pos] !== '(' && tokens[pos] !== ')') label = tokens[pos++] ?? '';
    // "(TAG word)" is a preterminal; a bare "((S ...))" wrapper has an empty label.
    if (tokens[pos] !== '(' && tokens[pos] !== ')' && tokens[pos] !== undefined) {
      const word = tokens[pos++]!;
      if (tokens[pos] !== ')') throw new TreeSyntaxError(`preterminal (${label} ${word} ...) has more than one word`);
      pos++;
      return { kind: 'leaf', tag: label, word };
    }
    const children: Tree[] = [];
    while (tokens[pos] === '(') children.push(parse());
    if (tokens[pos] !== ')') throw new TreeSyntaxError(`unclosed constituent (${label}`);
    pos++;
    if (children.length === 0) throw new TreeSyntaxError(`empty constituent (${label})`);
    return { kind: 'node', label, children };
  };
  while (pos < tokens.length) trees.push(parse());
  return trees;
}

/** Parses exactly one tree. */
export function parseTree(text: string): Tree {
  const trees = parseTrees(text);
  if (trees.length !== 1) throw new TreeSyntaxError(`expected one tree, found ${trees.length}`);
  return trees[0]!;
}

/** One-line PTB bracketing: (ROOT (S (NP (NNP John)) (VP (VBZ runs)))). */
export function printTree(tree: Tree): string {
  if (tree.kind === 'leaf') return `(${tree.tag} ${tree.word})`;
  return `(${tree.label} ${tree.children.map(printTree).join(' ')})`;
}

export function leaves(tree: Tree): Preterminal[] {
  if (tree.kind === 'leaf') return [tree];
  return tree.children.flatMap(leaves);
}

export function words(tree: Tree): string[] {
  return leaves(tree).map((l) => l.word);
}

/**
 * NP-SBJ → NP, PP-LOC-PRD → PP, S-NOM=2 → S; labels that start with "-" (-NONE-, -LRB-) are kept.
 * This is evalb's and Vinyals et al.'s reduction of PTB labels to their syntactic category.
 */
export function baseLabel(label: string): string {
  if (label.startsWith('-')) return label;
  const cut = label.search(/[-=]/);
  return cut > 0 ? label.slice(0, cut) : label;
}

/** A copy with function labels removed from every constituent (POS tags untouched). */
export function stripFunctionLabels(tree: Tree): Tree {
  if (tree.kind === 'leaf') return tree;
  return { kind: 'node', label: baseLabel(tree.label), children: tree.children.map(stripFunctionLabels) };
}

/** A copy with every POS tag replaced by `tag` (Vinyals et al. normalise tags to XX). */
export function replaceTags(tree: Tree, tag: string): Tree {
  if (tree.kind === 'leaf') return { kind: 'leaf', tag, word: tree.word };
  return { kind: 'node', label: tree.label, children: tree.children.map((c) => replaceTags(c, tag)) };
}
