import { describe, expect, it } from 'vitest';
import { learnBpe } from '../../../engine/tokenizer/bpe-trainer.ts';
import { selectChars, type LearnOptions } from '../../../engine/tokenizer/char-set.ts';
import { makeSegmenter } from '../../../engine/tokenizer/pretokenize.ts';

function segmentsOf(sentences: string[]): Map<string, number> {
  const segments = new Map<string, number>();
  const segment = makeSegmenter([]);
  for (const s of sentences) segment(s, (seg) => segments.set(seg, (segments.get(seg) ?? 0) + 1));
  return segments;
}

function options(overrides: Partial<LearnOptions> = {}): LearnOptions {
  return { maxPieces: 100, characterCoverage: 1, maxPieceLength: 16, reserved: new Set(), excludedChars: new Set(), ...overrides };
}

/**
 * Textbook BPE that recounts every pair before each merge, with the trainer's rules: same character set
 * and symbol numbering, most frequent pair first, ties to the smaller (left, right) symbol ids.
 */
function recountingBpe(segments: Map<string, number>, opts: LearnOptions): { chars: string[]; merges: string[] } {
  const chars = selectChars(segments, opts);
  const symbols = [...chars];
  const lengths = chars.map(() => 1);
  const byText = new Map(chars.map((ch, i) => [ch, i]));
  const words = [...segments].map(([s, f]) => ({ syms: Array.from(s, (ch) => byText.get(ch) ?? -1), f }));
  const merges: string[] = [];
  while (merges.length < opts.maxPieces - chars.length) {
    const counts = new Map<string, { l: number; r: number; c: number }>();
    for (const { syms, f } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const [l, r] = [syms[i]!, syms[i + 1]!];
        if (l < 0 || r < 0 || lengths[l]! + lengths[r]! > opts.maxPieceLength) continue;
        const entry = counts.get(`${l},${r}`) ?? { l, r, c: 0 };
        entry.c += f;
        counts.set(`${l},${r}`, entry);
      }
    }
    const best = [...counts.values()]
      .filter((p) => p.c > 0 && !opts.reserved.has(symbols[p.l]! + symbols[p.r]!))
      .sort((a, b) => b.c - a.c || a.l - b.l || a.r - b.r)[0];
    if (!best) break;
    const text = symbols[best.l]! + symbols[best.r]!;
    let id = byText.get(text);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(text);
      lengths.push(lengths[best.l]! + lengths[best.r]!);
      byText.set(text, id);
      merges.push(text);
    }
    for (const word of words) {
      const out: number[] = [];
      for (let i = 0; i < word.syms.length; i++) {
        if (i + 1 < word.syms.length && word.syms[i] === best.l && word.syms[i + 1] === best.r) {
          out.push(id);
          i++;
        } else out.push(word.syms[i]!);
      }
      word.syms = out;
    }
  }
  return { chars, merges };
}

function randomSentences(seed: number, count: number): string[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const alphabet = ['a', 'a', 'a', 'b', 'b', 'c', ' ', 'é', '😀', 'd'];
  return Array.from({ length: count }, () => {
    const n = 1 + Math.floor(next() * 30);
    return Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  });
}

describe('learnBpe', () => {
  it('learns the merges of Sennrich et al.\'s low/lower/newest/widest example in frequency order', () => {
    const sentences = [...Array(5).fill('low'), ...Array(2).fill('lower'), ...Array(6).fill('newest'), ...Array(3).fill('widest')];
    const { merges } = learnBpe(segmentsOf(sentences), options({ maxPieces: 14 }));
    // es and st both occur 9 times; es wins on symbol order (e is the most frequent character).
    expect(merges.slice(0, 4)).toEqual(['es', 'est', 'lo', 'low']);
  });

  it('matches a textbook recount-every-merge BPE on random text with overlapping runs', () => {
    for (const seed of [1, 7, 42]) {
      const segments = segmentsOf(randomSentences(seed, 300));
      const opts = options({ maxPieces: 80, maxPieceLength: 5, reserved: new Set(['ab', 'aaa']) });
      const learned = learnBpe(segments, opts);
      expect(learned).toEqual(recountingBpe(segments, opts));
      expect(learned.merges.length).toBeGreaterThan(20);
    }
  });

  it('never learns a reserved string, a piece over the length limit, or an excluded character', () => {
    const sentences = Array(50).fill('<s> abcdefgh \u2581x\u2581');
    const { chars, merges } = learnBpe(segmentsOf(sentences), options({
      maxPieceLength: 4, reserved: new Set(['<s>']), excludedChars: new Set(['\u2581']),
    }));
    expect(merges).not.toContain('<s>');
    expect(merges.every((m) => [...m].length <= 4)).toBe(true);
    expect([...chars, ...merges].some((p) => p.includes('\u2581'))).toBe(false);
    expect(merges).toContain(' abc');
  });

  it('never merges across whitespace, scripts or numbers', () => {
    const sentences = Array(20).fill('ab cd 12ef 中文abc');
    const { merges } = learnBpe(segmentsOf(sentences), options());
    expect(merges.length).toBeGreaterThan(0);
    for (const m of merges) {
      expect(m.slice(1)).not.toMatch(/\s/);
      expect(/[0-9]/.test(m) && /[a-z]/.test(m)).toBe(false);
      expect(/[中文]/.test(m) && /[a-z]/.test(m)).toBe(false);
    }
  });

  it('is deterministic for the same input', () => {
    const segments = segmentsOf(randomSentences(3, 500));
    expect(learnBpe(segments, options())).toEqual(learnBpe(new Map(segments), options()));
  });
});

describe('selectChars', () => {
  it('keeps characters by frequency until the coverage is met, ties by code point', () => {
    const segments = new Map([['aaaaaaaabbc', 10], ['d', 1]]);
    // 80 a, 20 b, 10 c, 1 d of 111: 90% coverage needs a and b only.
    expect(selectChars(segments, options({ characterCoverage: 0.9 }))).toEqual(['a', 'b']);
    expect(selectChars(segments, options({ characterCoverage: 1 }))).toEqual(['a', 'b', 'c', 'd']);
    expect(selectChars(new Map([['yx', 1]]), options())).toEqual(['x', 'y']);
  });

  it('stops at the piece budget', () => {
    expect(selectChars(new Map([['abcdef', 1]]), options({ maxPieces: 3 }))).toHaveLength(3);
  });
});
