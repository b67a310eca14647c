// The special pieces at the head of every vocabulary Parley trains, at fixed ids, so that a model's
// pad row, BOS/EOS and the turn separator never move between tokenizers.

export const SPECIAL_PIECES = {
  pad: '<pad>',
  unk: '<unk>',
  bos: '<s>',
  eos: '</s>',
  sep: '<sep>',
} as const;

/** Fixed ids in every model Parley trains: pad=0, unk=1, bos=2, eos=3, then `<sep>` (a user-defined piece). */
export const SPECIAL_IDS = { pad: 0, unk: 1, bos: 2, eos: 3, sep: 4 } as const;

/** The 256 byte-fallback pieces `<0x00>`..`<0xFF>`, in byte order (SentencePiece's spelling). */
export function bytePieces(): string[] {
  return Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
}
