import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConversations, loadParseExamples, loadTranslationPairs } from '../../corpora/load.ts';
import { CORPORA } from '../../corpora/manifest.ts';
import { resolveCorporaDir } from '../../corpora/paths.ts';
import { englishSide } from '../../corpora/readers/tatoeba.ts';
import { hashSplit, parseGumSplits } from '../../corpora/splits.ts';
import type { Split } from '../../corpora/types.ts';

const splits: Split[] = ['train', 'valid', 'test'];

describe('hash splits', () => {
  it('assign a key the same split every time, whatever else is in the data', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `sentence ${i}`);
    const before = keys.map((k) => hashSplit(k));
    const withMore = [...keys, 'a new sentence', 'another'].map((k) => hashSplit(k)).slice(0, keys.length);
    expect(withMore).toEqual(before);
    const valid = before.filter((s) => s === 'valid').length / keys.length;
    const test = before.filter((s) => s === 'test').length / keys.length;
    expect(valid).toBeGreaterThan(0.03);
    expect(valid).toBeLessThan(0.07);
    expect(test).toBeGreaterThan(0.03);
    expect(test).toBeLessThan(0.07);
  });

  it('honour other fractions and refuse impossible ones', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    const half = keys.filter((k) => hashSplit(k, { valid: 0.5, test: 0 }) === 'valid').length;
    expect(half).toBeGreaterThan(430);
    expect(half).toBeLessThan(570);
    expect(() => hashSplit('x', { valid: 0.6, test: 0.5 })).toThrow(/fractions/);
  });
});

describe('corpus splits', () => {
  it('never puts the same English sentence of Tatoeba fra-eng in two splits, and covers every pair', async () => {
    const seen = new Map<string, Split>();
    const straddling: string[] = [];
    let pairs = 0;
    let englishIsTarget = 0;
    for (const split of splits) {
      for await (const p of loadTranslationPairs('tatoeba-fra-eng', { split, direction: 'fr-en' })) {
        pairs++;
        const english = englishSide(p);
        if (english === p.tgt) englishIsTarget++;
        const before = seen.get(english);
        if (before !== undefined && before !== split) straddling.push(english);
        seen.set(english, split);
      }
    }
    expect(straddling).toEqual([]);
    expect([pairs, englishIsTarget]).toEqual([142787, 142787]);
    // Repeated English sentences exist ("Run!" has two translations), so the key matters.
    expect(seen.size).toBeLessThan(pairs);
  });

  it('keeps self-dialogue conversations disjoint and complete across splits', async () => {
    const ids = new Map<string, Split>();
    let reads = 0;
    for (const split of splits) {
      for await (const c of loadConversations('self-dialogue', { split })) {
        reads++;
        ids.set(c.id, split);
      }
    }
    // Each of the 24,155 usable conversations came out of exactly one split.
    expect([reads, ids.size]).toEqual([24155, 24155]);
    expect(splits.map((s) => [...ids.values()].filter((v) => v === s).length)).toEqual([21784, 1166, 1205]);
  });

  it("follows GUM's official document lists (dev → valid)", async () => {
    const dir = resolveCorporaDir();
    const official = parseGumSplits(readFileSync(join(dir, 'parsing/gum-const/splits.md'), 'utf8'));
    expect(official.get('GUM_bio_byron')).toBe('valid');
    expect(official.get('GUM_news_nasa')).toBe('test');
    expect(official.get('GUM_news_crane')).toBe('train');
    expect(official.has('GENTLE_poetry_raven')).toBe(false);
    // Every staged document is listed, so none falls back to train silently.
    for (const f of CORPORA.gum.dataFiles) expect(official.has(f.split('/').at(-1)!.replace('.ptb', ''))).toBe(true);
    const trees: Record<string, number> = {};
    for (const split of splits) {
      trees[split] = 0;
      for await (const e of loadParseExamples('gum', { split })) {
        expect(official.get(e.document)).toBe(split);
        trees[split]++;
      }
    }
    expect(trees).toEqual({ train: 3707, valid: 438, test: 491 });
  });
});
