// Byte-pair-encoding vocabulary learning (Sennrich et al. 2016, "Neural Machine Translation of Rare
// Words with Subword Units"), as SentencePiece's BPE trainer does it: over counted segments, each merge
// joining the most frequent adjacent pair. Pair counts are updated incrementally around each merge and
// kept in a lazily re-checked max-heap, so a merge costs only the words it touches.
import { selectChars, type LearnOptions } from './char-set.ts';
import { PairHeap } from './pair-heap.ts';

export interface LearnedBpe {
  /** The character set, most frequent first. */
  chars: string[];
  /** New pieces in merge order, most frequent merge first. */
  merges: string[];
}

interface Pair {
  left: number;
  right: number;
  key: number;
  count: number;
  /** Words that held this pair at some point (may repeat or be stale; merging re-checks). */
  words: number[];
  lastWord: number;
  increasedAt: number;
}

// Pair key = left * SHIFT + right: exact in a double for symbol ids below 2^26.
const SHIFT = 2 ** 26;

export function learnBpe(segments: ReadonlyMap<string, number>, options: LearnOptions): LearnedBpe {
  const chars = selectChars(segments, options);
  const symbols: string[] = [...chars];
  const symbolLength: number[] = chars.map(() => 1);
  const symbolByText = new Map<string, number>(chars.map((ch, i) => [ch, i]));

  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [segment, freq] of segments) {
    // -1 marks a character outside the set: it never joins a pair.
    words.push(Array.from(segment, (ch) => symbolByText.get(ch) ?? -1));
    freqs.push(freq);
  }

  const pairs = new Map<number, Pair>();
  const heap = new PairHeap<Pair>();
  let step = 0;
  const touched: Pair[] = [];

  // The word whose pairs are being counted; addCount files it under every pair that gains occurrences.
  let word = -1;
  const addCount = (left: number, right: number, delta: number): void => {
    if (left < 0 || right < 0 || symbolLength[left]! + symbolLength[right]! > options.maxPieceLength) return;
    const key = left * SHIFT + right;
    let pair = pairs.get(key);
    if (!pair) {
      pair = { left, right, key, count: 0, words: [], lastWord: -1, increasedAt: -1 };
      pairs.set(key, pair);
    }
    pair.count += delta;
    if (delta > 0) {
      if (pair.lastWord !== word) {
        pair.words.push(word);
        pair.lastWord = word;
      }
      if (pair.increasedAt !== step) {
        pair.increasedAt = step;
        touched.push(pair);
      }
    }
  };
  const pushTouched = (): void => {
    for (const pair of touched) if (pair.count > 0) heap.push({ pair, count: pair.count, key: pair.key });
    touched.length = 0;
  };

  words.forEach((symbols, w) => {
    word = w;
    for (let i = 0; i + 1 < symbols.length; i++) addCount(symbols[i]!, symbols[i + 1]!, freqs[w]!);
  });
  pushTouched();

  const merges: string[] = [];
  const wordStamp = new Int32Array(words.length).fill(-1);
  const budget = options.maxPieces - chars.length;
  while (merges.length < budget) {
    const entry = heap.pop();
    if (!entry) break;
    const pair = entry.pair;
    // A stale entry: re-file it at its current count (counts only fall between pushes).
    if (entry.count !== pair.count) {
      if (pair.count > 0 && pair.count < entry.count) heap.push({ pair, count: pair.count, key: pair.key });
      continue;
    }
    const text = symbols[pair.left]! + symbols[pair.right]!;
    if (options.reserved.has(text)) continue;
    step++;
    let merged = symbolByText.get(text);
    if (merged === undefined) {
      merged = symbols.length;
      symbols.push(text);
      symbolLength.push(symbolLength[pair.left]! + symbolLength[pair.right]!);
      symbolByText.set(text, merged);
      merges.push(text);
    }
    for (const w of pair.words) {
      if (wordStamp[w] === step) continue;
      wordStamp[w] = step;
      word = w;
      words[w] = mergeWord({ word: words[w]!, freq: freqs[w]!, left: pair.left, right: pair.right, merged }, addCount);
    }
    pair.words = [];
    pair.lastWord = -1;
    pushTouched();
  }
  return { chars, merges };
}

interface MergeJob {
  word: number[];
  freq: number;
  left: number;
  right: number;
  merged: number;
}

/** Replaces every (left, right) in a word by `merged`, reporting each pair count change to `addCount`. */
function mergeWord(job: MergeJob, addCount: (l: number, r: number, delta: number) => void): number[] {
  const { word, freq, left, right, merged } = job;
  const out: number[] = [];
  let i = 0;
  while (i < word.length) {
    if (i + 1 < word.length && word[i] === left && word[i + 1] === right) {
      addCount(left, right, -freq);
      // The neighbour on the left is already in its merged form, so overlapping runs ("aaaa") stay exact.
      if (out.length > 0) {
        const prev = out[out.length - 1]!;
        addCount(prev, left, -freq);
        addCount(prev, merged, freq);
      }
      if (i + 2 < word.length) {
        const next = word[i + 2]!;
        addCount(right, next, -freq);
        addCount(merged, next, freq);
      }
      out.push(merged);
      i += 2;
    } else {
      out.push(word[i]!);
      i++;
    }
  }
  return out;
}
