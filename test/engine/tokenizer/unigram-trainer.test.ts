import { describe, expect, it } from 'vitest';
import type { LearnOptions } from '../../../engine/tokenizer/char-set.ts';
import { Lattices, scoreTable, viterbiPieces } from '../../../engine/tokenizer/unigram-lattice.ts';
import { digamma, learnUnigram } from '../../../engine/tokenizer/unigram-trainer.ts';
import { tatoebaSentences } from './corpus.ts';
import { makeSegmenter } from '../../../engine/tokenizer/pretokenize.ts';

function segmentsOf(sentences: string[]): Map<string, number> {
  const segments = new Map<string, number>();
  const segment = makeSegmenter([]);
  for (const s of sentences) segment(s, (seg) => segments.set(seg, (segments.get(seg) ?? 0) + 1));
  return segments;
}

function options(overrides: Partial<LearnOptions> = {}): LearnOptions {
  return { maxPieces: 300, characterCoverage: 1, maxPieceLength: 16, reserved: new Set(), excludedChars: new Set(), ...overrides };
}

describe('digamma', () => {
  it('matches reference values', () => {
    // ψ(1) = -γ, ψ(1/2) = -γ - 2 ln 2, ψ(10) from tables.
    expect(digamma(1)).toBeCloseTo(-0.5772156649, 9);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260, 9);
    expect(digamma(10)).toBeCloseTo(2.2517525891, 9);
  });
});

describe('unigram lattices', () => {
  const pieces = [{ piece: 'a', score: Math.log(0.3) }, { piece: 'b', score: Math.log(0.2) }, { piece: 'ab', score: Math.log(0.1) }];

  it('gives each segmentation its share of the expected counts (forward-backward)', () => {
    // "ab" is either [ab] (0.1) or [a, b] (0.06): [ab] has posterior 0.1 / 0.16; "ab" occurs twice.
    const expected = new Lattices(new Map([['ab', 2]]), 16).expectedCounts(pieces);
    expect(expected[2]).toBeCloseTo((2 * 0.1) / 0.16, 10);
    expect(expected[0]).toBeCloseTo((2 * 0.06) / 0.16, 10);
    expect(expected[1]).toBeCloseTo((2 * 0.06) / 0.16, 10);
  });

  it('counts Viterbi tokens and the segments using each piece; unknown characters count for nothing', () => {
    const counts = new Lattices(new Map([['abab', 3], ['ba', 1], ['axb', 1]]), 16).viterbiCounts(pieces);
    // abab x3 -> [ab, ab]; ba -> [b, a]; axb -> [a, ?, b].
    expect([...counts.tokenCounts]).toEqual([2, 2, 6]);
    expect([...counts.segmentFreqs]).toEqual([2, 2, 3]);
    expect(counts.totalSegmentFreq).toBe(5);
  });

  it('spells a piece with the others when it is left out', () => {
    const index = new Map(pieces.map((p, i) => [p.piece, i]));
    expect(viterbiPieces(2, { pieces, table: scoreTable(pieces), index })).toEqual([0, 1]);
  });
});

describe('learnUnigram', () => {
  const segments = segmentsOf(tatoebaSentences(0, 2000));

  it('returns exactly the piece budget, every character, best score first', () => {
    const learned = learnUnigram(segments, options());
    expect(learned).toHaveLength(300);
    const chars = new Set([...segments.keys()].flatMap((s) => Array.from(s)));
    for (const ch of chars) expect(learned.map((p) => p.piece)).toContain(ch);
    const scores = learned.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores.every((s) => s < 0)).toBe(true);
  });

  it('learns frequent words as whole pieces and respects reserved strings and the length limit', () => {
    const learned = learnUnigram(segments, options({ reserved: new Set([' it']), maxPieceLength: 5 })).map((p) => p.piece);
    // The most frequent words of these short sentences ("Je suis ...", "Tom ...").
    expect(learned).toEqual(expect.arrayContaining([' suis', 'Tom', ' me']));
    expect(learned).not.toContain(' it');
    expect(learnUnigram(segments, options()).map((p) => p.piece)).toContain(' it');
    expect(learned.every((p) => Array.from(p).length <= 5)).toBe(true);
  });

  it('is deterministic for the same input', () => {
    expect(learnUnigram(segments, options())).toEqual(learnUnigram(new Map(segments), options()));
  });
});
