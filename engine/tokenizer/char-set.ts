// What every vocabulary learner shares: its options and the character set (SentencePiece's
// character_coverage rule: the most frequent characters until they cover that fraction of the text).

export interface LearnOptions {
  /** Pieces available for characters and learned pieces together. */
  maxPieces: number;
  /** Fraction of character occurrences the character set must cover; rarer characters fall back to bytes. */
  characterCoverage: number;
  /** Longest piece, in code points. */
  maxPieceLength: number;
  /** Strings that must not become pieces (special, user-defined and byte pieces). */
  reserved: ReadonlySet<string>;
  /** Characters never admitted to the character set (they always fall back to bytes). */
  excludedChars: ReadonlySet<string>;
}

/** Picks the character set: by frequency (ties by code point) until `coverage` of occurrences is met. */
export function selectChars(segments: ReadonlyMap<string, number>, options: LearnOptions): string[] {
  const counts = new Map<string, number>();
  for (const [segment, freq] of segments) {
    for (const ch of segment) counts.set(ch, (counts.get(ch) ?? 0) + freq);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const ranked = [...counts].filter(([ch]) => !options.excludedChars.has(ch))
    .sort((a, b) => b[1] - a[1] || a[0].codePointAt(0)! - b[0].codePointAt(0)!);
  const chars: string[] = [];
  let covered = 0;
  for (const [ch, count] of ranked) {
    if (chars.length >= options.maxPieces || covered >= options.characterCoverage * total) break;
    chars.push(ch);
    covered += count;
  }
  return chars;
}

