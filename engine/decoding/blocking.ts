// Per-row constraints applied to a copy of the step's log-probabilities before selection: min/max
// length, n-gram repeat blocking (as fairseq's no_repeat_ngram_size), source/context n-gram blocking,
// <unk> suppression, a blocklist of token sequences, and the well-formed-tree constraint of parse models.
// Banned tokens get -Infinity.
import type { DecodingOptions } from './options.ts';
import type { SpecialIds } from './step-model.ts';
import { applyTreeConstraint } from './tree-constraint.ts';

export interface RowConstraints {
  options: DecodingOptions;
  specials: SpecialIds;
  /** Source tokens plus any request context whose n-grams are blocked. */
  blockedText: number[][];
  minLength: number;
  /** The row's effective maximum output length (EOS excluded). */
  maxLength?: number;
}

/** A hypothesis's tokens: tokens[start .. start+len). */
export interface HypothesisTokens {
  tokens: Int32Array;
  start: number;
  len: number;
}

/** Do the n tokens of `text` from `at` equal the last n tokens of the hypothesis? */
function endsWith(h: HypothesisTokens, text: ArrayLike<number>, at: number, n: number): boolean {
  const tail = h.start + h.len - n;
  for (let k = 0; k < n; k++) if (text[at + k] !== h.tokens[tail + k]) return false;
  return true;
}

/** Ban every token that would complete an n-gram of text[0..textLen) whose first n−1 tokens end h. */
function banNgramsFrom(row: Float32Array, h: HypothesisTokens, text: ArrayLike<number>, textLen: number, n: number): void {
  if (h.len < n - 1) return;
  for (let i = 0; i + n <= textLen; i++) {
    if (endsWith(h, text, i, n - 1)) row[text[i + n - 1]!] = -Infinity;
  }
}

/** Mask `row` (one row's log-probabilities, length vocab) for hypothesis h. */
export function applyConstraints(row: Float32Array, h: HypothesisTokens, c: RowConstraints): void {
  const { options: o, specials } = c;
  const len = h.len;
  row[specials.pad] = -Infinity;
  if (specials.bos !== specials.eos) row[specials.bos] = -Infinity;
  if (o.suppressUnk && specials.unk !== specials.eos) row[specials.unk] = -Infinity;
  if (len < c.minLength) row[specials.eos] = -Infinity;
  if (o.noRepeatNgram > 0) {
    // The text searched is the hypothesis itself; an n-gram must end before the token being chosen.
    banNgramsFrom(row, h, h.tokens.subarray(h.start, h.start + len), len, o.noRepeatNgram);
  }
  if (o.blockSourceNgrams > 0) {
    for (const text of c.blockedText) banNgramsFrom(row, h, text, text.length, o.blockSourceNgrams);
  }
  for (const seq of o.blocklist) {
    const m = seq.length;
    if (len >= m - 1 && endsWith(h, seq, 0, m - 1)) row[seq[m - 1]!] = -Infinity;
  }
  // Last: it keeps only the tree's next pieces, with whatever the bans above left them.
  if (o.treeConstraint) applyTreeConstraint(row, h, o.treeConstraint, specials.eos, c.maxLength);
}
