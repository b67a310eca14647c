// Parsing as translation (Vinyals et al. 2014, "Grammar as a Foreign Language"): a tree becomes a
// depth-first token sequence "(S (NP XX )NP (VP XX (NP XX XX )NP )VP XX )S" — opening brackets carry
// the label, closing brackets repeat it, each word is one placeholder token — and back again.
import { baseLabel, type Constituent, type Tree } from './tree.ts';

export const WORD_PLACEHOLDER = 'XX';
const ROOT_LABELS = new Set(['ROOT', 'TOP', '']);

export interface LinearizeOptions {
  /** 'xx' writes XX for every word, as the paper does (about +1 F1 there); 'keep' writes the POS tag. */
  tags?: 'xx' | 'keep';
  /** Drop function labels (NP-SBJ → NP), as the paper's PTB setup does. Default true. */
  stripFunctionLabels?: boolean;
  /** Closing brackets as ")NP" (the paper) or a bare ")". Default true. */
  labelClosing?: boolean;
}

/**
 * The target sequence for a tree. A ROOT/TOP wrapper with one child is left out (it is the same for
 * every sentence); delinearize puts it back.
 */
export function linearize(tree: Tree, options: LinearizeOptions = {}): string[] {
  const tags = options.tags ?? 'xx';
  if (tags !== 'xx' && tags !== 'keep') throw new Error(`linearize: tags must be 'xx' or 'keep', got ${String(tags)}`);
  const strip = options.stripFunctionLabels ?? true;
  const labelClosing = options.labelClosing ?? true;
  const out: string[] = [];
  const walk = (t: Tree): void => {
    if (t.kind === 'leaf') {
      out.push(tags === 'xx' ? WORD_PLACEHOLDER : t.tag);
      return;
    }
    const label = strip ? baseLabel(t.label) : t.label;
    out.push(`(${label}`);
    t.children.forEach(walk);
    out.push(labelClosing ? `)${label}` : ')');
  };
  const top = tree.kind === 'node' && ROOT_LABELS.has(tree.label) && tree.children.length === 1 ? tree.children[0]! : tree;
  walk(top);
  return out;
}

export type RepairKind =
  | 'extra-close' // a closing bracket with nothing open
  | 'mismatched-close' // ")VP" closing an open "(NP"
  | 'unclosed' // brackets still open at the end
  | 'empty-constituent' // "(NP )NP" with no word under it
  | 'extra-word' // more placeholders than input words
  | 'missing-word' // fewer placeholders than input words
  | 'empty-label'; // a bare "(" with no label

export interface Repair {
  kind: RepairKind;
  /** Index in the predicted sequence (the sequence length for repairs made at the end). */
  position: number;
  detail: string;
}

export interface Delinearized {
  /** Well-formed, rooted in ROOT, with exactly the input words as leaves, in order. */
  tree: Constituent;
  repaired: boolean;
  repairs: Repair[];
}

/**
 * Rebuilds a tree over `words` from a predicted sequence, repairing what a decoder gets wrong:
 * unbalanced or mismatched brackets, empty constituents, too many or too few word placeholders.
 * Any token that is not a bracket is a word slot; its text becomes the POS tag (XX or a real tag).
 * Words the sequence did not place are attached, in order, to the outermost constituent.
 * (Over zero words the result is a childless ROOT: there is nothing to bracket.)
 */
export function delinearize(tokens: readonly string[], words: readonly string[]): Delinearized {
  const repairs: Repair[] = [];
  const top: Constituent = { kind: 'node', label: 'ROOT', children: [] };
  const stack: Constituent[] = [top];
  let next = 0;
  const close = (position: number): void => {
    const node = stack.pop()!;
    if (node.children.length === 0) {
      const parent = stack[stack.length - 1]!;
      parent.children.splice(parent.children.indexOf(node), 1);
      repairs.push({ kind: 'empty-constituent', position, detail: `dropped empty (${node.label}` });
    }
  };
  tokens.forEach((token, position) => {
    if (token.startsWith('(')) {
      let label = token.slice(1);
      if (label === '') {
        label = 'X';
        repairs.push({ kind: 'empty-label', position, detail: 'unlabelled bracket labelled X' });
      }
      const node: Constituent = { kind: 'node', label, children: [] };
      stack[stack.length - 1]!.children.push(node);
      stack.push(node);
    } else if (token.startsWith(')')) {
      if (stack.length === 1) {
        repairs.push({ kind: 'extra-close', position, detail: `ignored ${token}` });
        return;
      }
      const open = stack[stack.length - 1]!;
      const label = token.slice(1);
      if (label !== '' && label !== open.label) {
        repairs.push({ kind: 'mismatched-close', position, detail: `${token} closed (${open.label}` });
      }
      close(position);
    } else if (next < words.length) {
      stack[stack.length - 1]!.children.push({ kind: 'leaf', tag: token, word: words[next++]! });
    } else {
      repairs.push({ kind: 'extra-word', position, detail: `ignored placeholder ${token} past the last word` });
    }
  });
  if (stack.length > 1) {
    repairs.push({ kind: 'unclosed', position: tokens.length, detail: `closed ${stack.length - 1} open bracket(s)` });
    while (stack.length > 1) close(tokens.length);
  }
  if (next < words.length) {
    // The outermost constituent, so the unplaced words do not break up any predicted phrase.
    const host = top.children.length === 1 && top.children[0]!.kind === 'node' ? top.children[0] : top;
    repairs.push({ kind: 'missing-word', position: tokens.length, detail: `attached ${words.length - next} unplaced word(s)` });
    while (next < words.length) host.children.push({ kind: 'leaf', tag: WORD_PLACEHOLDER, word: words[next++]! });
  }
  // A sequence that was itself rooted ("(ROOT ... )ROOT") must not end up as ROOT over ROOT.
  const only = top.children.length === 1 ? top.children[0]! : undefined;
  const tree = only?.kind === 'node' && ROOT_LABELS.has(only.label) ? { ...only, label: 'ROOT' } : top;
  return { tree, repaired: repairs.length > 0, repairs };
}
