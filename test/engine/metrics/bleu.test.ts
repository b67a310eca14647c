import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { corpusBleu, corpusBleuFromLines } from '../../../engine/metrics/bleu.ts';
import { fsum } from '../../../engine/metrics/fsum.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const referenceDir = process.env.PARLEY_REFERENCE_DIR ?? resolve(repoRoot, '../shared/fixtures/reference');
const fixture = JSON.parse(readFileSync(resolve(referenceDir, 'bleu.json'), 'utf8')) as {
  hypotheses: string[];
  references: string[];
  bleu: number;
};

describe('corpusBleu', () => {
  it('equals the NLTK corpus_bleu reference exactly', () => {
    expect(corpusBleuFromLines(fixture.hypotheses, fixture.references).bleu).toBe(fixture.bleu);
  });

  it('is 1 for a corpus identical to its references', () => {
    const lines = ['the cat sat on the mat', 'a dog barked at the moon today'];
    expect(corpusBleuFromLines(lines, lines).bleu).toBeCloseTo(1, 15);
  });

  it('clips repeated n-grams and applies the brevity penalty', () => {
    // "the the the" vs "the cat": unigram precision 1/3 (clipped), no bigram match at all.
    const r = corpusBleu([['the', 'the', 'the']], [['the', 'cat']], { maxOrder: 1 });
    expect(r.precisions[0]).toBeCloseTo(1 / 3, 15);
    expect(r.brevityPenalty).toBe(1);
    const short = corpusBleu([['cat']], [['the', 'cat', 'sat']], { maxOrder: 1 });
    expect(short.brevityPenalty).toBeCloseTo(Math.exp(1 - 3), 15);
    expect(short.bleu).toBeCloseTo(Math.exp(-2), 15);
  });

  it('is 0 without a unigram match and refuses mismatched corpus sizes', () => {
    expect(corpusBleuFromLines(['x y z'], ['a b c']).bleu).toBe(0);
    expect(() => corpusBleuFromLines(['a'], [])).toThrow(/1 hypotheses but 0 references/);
  });
});

describe('fsum', () => {
  it('sums exactly where naive addition loses bits', () => {
    expect(fsum([1e100, 1, -1e100])).toBe(1);
    expect(fsum([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])).toBe(1);
    expect(fsum([])).toBe(0);
  });
});
