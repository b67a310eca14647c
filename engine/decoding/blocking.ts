// Per-row constraints applied to a copy of the step's log-probabilities before selection: min/max
// length, n-gram repeat blocking (as fairseq's no_repeat_ngram_size), source/context n-gram blocking,
// <unk> suppression and a blocklist of token sequences. Banned tokens get -Infinity.
import type { DecodingOptions } from './options.ts';
import type { SpecialIds } from './step-model.ts';

export interface RowConstraints {
  options: DecodingOptions;
  specials: SpecialIds;
  /** Source tokens plus any request context whose n-grams are blocked. */
  blockedText: number[][];
  minLength: number;
}

/** Does hist[a..a+n) equal hist[b..b+n)? (`other` may be a different array). */
function sameRun(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
}

/** Ban every token that would complete an n-gram of `text` whose first n−1 tokens end the hypothesis. */
function banNgramsFrom(row: Float32Array, text: ArrayLike<number>, textLen: number, hist: Int32Array, histStart: number, len: number, n: number): void {
  if (len < n - 1) return;
  const tail = histStart + len - (n - 1);
  for (let i = 0; i + n <= textLen; i++) {
    if (sameRun(text, i, hist, tail, n - 1)) row[text[i + n - 1]!] = -Infinity;
  }
}

/**
 * Mask `row` (one row's log-probabilities, length vocab) for a hypothesis whose tokens are
 * hist[histStart .. histStart+len).
 */
export function applyConstraints(row: Float32Array, hist: Int32Array, histStart: number, len: number, c: RowConstraints): void {
  const { options: o, specials } = c;
  row[specials.pad] = -Infinity;
  if (specials.bos !== specials.eos) row[specials.bos] = -Infinity;
  if (o.suppressUnk && specials.unk !== specials.eos) row[specials.unk] = -Infinity;
  if (len < c.minLength) row[specials.eos] = -Infinity;
  if (o.noRepeatNgram > 0) {
    // The text searched is the hypothesis itself, without its last n−1 tokens' own window.
    banNgramsFrom(row, hist.subarray(histStart, histStart + len), len, hist, histStart, len, o.noRepeatNgram);
  }
  if (o.blockSourceNgrams > 0) {
    for (const text of c.blockedText) banNgramsFrom(row, text, text.length, hist, histStart, len, o.blockSourceNgrams);
  }
  for (const seq of o.blocklist) {
    const m = seq.length;
    if (len >= m - 1 && sameRun(seq, 0, hist, histStart + len - (m - 1), m - 1)) row[seq[m - 1]!] = -Infinity;
  }
}
