// Lone UTF-16 surrogates cannot be written as UTF-8, so SentencePiece (which works on UTF-8) would
// silently turn them into other characters; Parley refuses such strings instead.

const LONE_SURROGATE = /\p{Cs}/u;

/** True when `text` has no lone surrogate (String.prototype.isWellFormed, which ES2022 typings lack). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
