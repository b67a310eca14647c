// Splits training sentences into the segments BPE merges may not cross, after SentencePiece's trainer
// (trainer_interface.cc, SplitIntoWords / IsValidSentencePiece): a whitespace character starts a new
// segment and stays its prefix; a segment holds one Unicode script (Han, Hiragana and Katakana count as
// one), numbers apart from letters; combining marks (script Inherited) stay with what they follow.
// User-defined symbols are cut out: they are pieces of their own and never part of a merge.

const WHITESPACE = /^\s$/u;
const NUMBER = /^\p{N}$/u;
const INHERITED = /^\p{Script=Inherited}$/u;
const CJ = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]$/u;
const COMMON = /^\p{Script=Common}$/u;
const SCRIPTS = [
  'Latin', 'Greek', 'Cyrillic', 'Armenian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Devanagari', 'Bengali',
  'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao',
  'Tibetan', 'Myanmar', 'Georgian', 'Hangul', 'Ethiopic', 'Khmer', 'Mongolian', 'Cherokee', 'Bopomofo',
].map((name) => ({ name, pattern: new RegExp(`^\\p{Script=${name}}$`, 'u') }));

const SPACE = 'space';
const INHERIT = 'inherited';
const classCache = new Map<number, string>();

/** The segment class of one code point: 'space', 'inherited', 'number', 'cj', a script name, 'common'. */
export function charClass(codePoint: number): string {
  let cls = classCache.get(codePoint);
  if (cls !== undefined) return cls;
  const ch = String.fromCodePoint(codePoint);
  if (WHITESPACE.test(ch)) cls = SPACE;
  else if (NUMBER.test(ch)) cls = 'number';
  else if (INHERITED.test(ch)) cls = INHERIT;
  else if (CJ.test(ch)) cls = 'cj';
  else if (COMMON.test(ch)) cls = 'common';
  else cls = SCRIPTS.find((s) => s.pattern.test(ch))?.name ?? `block-${codePoint >> 7}`;
  classCache.set(codePoint, cls);
  return cls;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A reusable splitter; `userDefinedSymbols` are removed from the text before segmenting. */
export function makeSegmenter(userDefinedSymbols: readonly string[]): (sentence: string, emit: (segment: string) => void) => void {
  const symbols = [...userDefinedSymbols].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const cut = symbols.length > 0 ? new RegExp(symbols.join('|'), 'u') : null;
  return (sentence, emit) => {
    const parts = cut ? sentence.split(cut) : [sentence];
    for (const part of parts) segmentPart(part, emit);
  };
}

function segmentPart(text: string, emit: (segment: string) => void): void {
  let start = 0;
  // Class of the open segment: '' when none is open, SPACE while it holds only its whitespace prefix.
  let open = '';
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const cls = charClass(cp);
    if (cls === SPACE) {
      if (open !== '') emit(text.slice(start, i));
      start = i;
      open = SPACE;
    } else if (open === '' ) {
      open = cls;
    } else if (open === SPACE || (open === INHERIT && cls !== INHERIT)) {
      open = cls;
    } else if (cls !== open && cls !== INHERIT) {
      emit(text.slice(start, i));
      start = i;
      open = cls;
    }
    i += width;
  }
  if (open !== '') emit(text.slice(start));
}
