// Constrained decoding for parsing as translation: at each step only the pieces that keep the output a
// well-formed linearised tree over exactly the input's words stay allowed. A bracket closes only the
// label open on top and only once it holds something; a preterminal (the XX placeholder, or a POS tag
// with a tagging parser) goes inside a bracket while the input has words left; a bracket opens only
// while a word is left to fill it; EOS comes when every word is placed and every bracket closed. A
// small parser then never needs its output repaired, unless it runs out of length. (Vinyals et al.
// 2014 repaired the rare malformed output afterwards; constraining the search instead keeps the model's
// best well-formed tree rather than a patched ill-formed one.)
import type { TreeConstraint } from './options.ts';
import type { HypothesisTokens } from './blocking.ts';

/** Deeper nesting is refused: no treebank tree is near it, and it bounds a looping model. */
const MAX_DEPTH = 48;

interface Lookup {
  /** id → label index, for "(L" pieces. */
  open: Map<number, number>;
  /** id → label index, for ")L" pieces. */
  close: Map<number, number>;
  /** The ids that each place one word. */
  preterminals: Set<number>;
}

const lookups = new WeakMap<TreeConstraint, Lookup>();

function lookup(tree: TreeConstraint): Lookup {
  let l = lookups.get(tree);
  if (!l) {
    l = {
      open: new Map(tree.open.map((id, i) => [id, i])),
      close: new Map(tree.close.map((id, i) => [id, i])),
      preterminals: new Set(tree.preterminals),
    };
    lookups.set(tree, l);
  }
  return l;
}

/** Where a hypothesis stands: open labels (innermost last), words placed, and whether the top is empty. */
export interface TreeState {
  stack: number[];
  words: number;
  topEmpty: boolean;
}

export function treeState(h: HypothesisTokens, tree: TreeConstraint): TreeState {
  const l = lookup(tree);
  const stack: number[] = [];
  let words = 0;
  let topEmpty = false;
  for (let k = h.start; k < h.start + h.len; k++) {
    const id = h.tokens[k]!;
    if (l.preterminals.has(id)) {
      words++;
      topEmpty = false;
    } else if (l.open.has(id)) {
      stack.push(l.open.get(id)!);
      topEmpty = true;
    } else if (l.close.has(id)) {
      stack.pop();
      topEmpty = false;
    }
  }
  return { stack, words, topEmpty };
}

/**
 * Sets every piece the tree does not allow next to -Infinity in `row` (one row's log-probabilities).
 * With `maxLength` (output tokens, EOS excluded), a piece is allowed only if the tree can still be
 * finished in the tokens left after it, so a wandering model is steered to close in time.
 */
export function applyTreeConstraint(row: Float32Array, h: HypothesisTokens, tree: TreeConstraint, eos: number, maxLength = Infinity): void {
  const { stack, words, topEmpty } = treeState(h, tree);
  const left = tree.words - words;
  const depth = stack.length;
  const room = maxLength - (h.len + 1);
  /** Fewest tokens that finish the tree from `wordsLeft` words and `open` brackets (EOS aside). */
  const finish = (wordsLeft: number, open: number) => (open === 0 && wordsLeft > 0 ? wordsLeft + 2 : wordsLeft + open);
  const pick = (fits: (need: number) => boolean): number[] => {
    const keep: number[] = [];
    if (left > 0 && depth < MAX_DEPTH && fits(finish(left, depth + 1))) keep.push(...tree.open);
    if (left > 0 && depth > 0 && fits(finish(left - 1, depth))) keep.push(...tree.preterminals);
    if (depth > 0 && !topEmpty && fits(finish(left, depth - 1))) keep.push(tree.close[stack.at(-1)!]!);
    if (left <= 0 && depth === 0) keep.push(eos);
    return keep;
  };
  let keep = pick((need) => need <= room);
  // Too little room even for the shortest finish (a tiny maxLength): keep the tree's rules alone.
  if (keep.length === 0) keep = pick(() => true);
  const kept = keep.map((id) => row[id]!);
  row.fill(-Infinity);
  keep.forEach((id, i) => (row[id] = kept[i]!));
}
