import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusError, IssueLog } from '../../corpora/errors.ts';
import { HELDOUT_LANGUAGES, HELDOUT_TOPICS, HELDOUT_TRANSLATION, loadHeldoutTranslation } from '../../corpora/heldout-translation.ts';
import { corpusEntry } from '../../corpora/manifest.ts';
import { loadTranslationPairs } from '../../corpora/load.ts';
import { resolveCorporaDir } from '../../corpora/paths.ts';
import { readTatoeba } from '../../corpora/readers/tatoeba.ts';
import { tempDir } from '../helpers/tmp.ts';

const words = (s: string): number => s.split(' ').length;

describe('the held-out translation set', () => {
  it('has 150 triples over the thirteen topics and three lengths, every other line in the test half', async () => {
    const all = await loadHeldoutTranslation({ split: 'all' });
    expect(all).toHaveLength(150);
    expect(all.map((s) => s.id)).toEqual(all.map((_, i) => `t${String(i + 1).padStart(3, '0')}`));
    expect(all.map((s) => s.split)).toEqual(all.map((_, i) => (i % 2 === 0 ? 'dev' : 'test')));
    const [dev, test] = await Promise.all([loadHeldoutTranslation({ split: 'dev' }), loadHeldoutTranslation({ split: 'test' })]);
    expect([dev.length, test.length]).toEqual([75, 75]);
    for (const topic of HELDOUT_TOPICS) {
      const count = (half: typeof all) => half.filter((s) => s.topic === topic).length;
      expect(count(all), topic).toBeGreaterThanOrEqual(11);
      expect(Math.abs(count(dev) - count(test)), topic).toBeLessThanOrEqual(1);
    }
    const band = (s: { en: string }) => (words(s.en) <= 6 ? 'short' : words(s.en) <= 12 ? 'middling' : 'long');
    for (const half of [dev, test]) {
      for (const b of ['short', 'middling', 'long']) expect(half.filter((s) => band(s) === b).length, b).toBeGreaterThanOrEqual(23);
    }
    expect(Math.min(...all.map((s) => words(s.en)))).toBeGreaterThanOrEqual(3);
    expect(Math.max(...all.map((s) => words(s.en)))).toBeLessThanOrEqual(25);
    for (const language of HELDOUT_LANGUAGES) expect(new Set(all.map((s) => s[language].toLowerCase())).size, language).toBe(150);
    // Written with their accents and umlauts, not in ASCII.
    expect(all.filter((s) => /[éèêàçùûôœ]/.test(s.fr)).length).toBeGreaterThan(60);
    expect(all.filter((s) => /[äöüßÄÖÜ]/.test(s.de)).length).toBeGreaterThan(40);
    expect(all.filter((s) => s.en.endsWith('?')).map((s) => s.fr.endsWith(' ?') && s.de.endsWith('?'))).not.toContain(false);
  });

  it('refuses a bad record naming its file and line instead of skipping it', async () => {
    const dir = tempDir('parley-heldout-mt');
    const good = { id: 't001', split: 'dev', topic: 'food', en: 'I like soup.', fr: "J'aime la soupe.", de: 'Ich mag Suppe.' };
    const file = join(dir, HELDOUT_TRANSLATION.file);
    const write = (...lines: unknown[]): void => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
    };
    write(good, { ...good, id: 't002', split: 'test' });
    expect((await loadHeldoutTranslation({ split: 'test', dir })).map((s) => s.id)).toEqual(['t002']);
    const refusals: [unknown, RegExp][] = [
      [{ ...good, id: 't002', split: 'train' }, /sentences\.jsonl:2: split must be "dev" or "test", got "train"/],
      [good, /:2: duplicate id t001/],
      [{ ...good, id: 't002', topic: 'sport' }, /:2: topic must be one of travel, food/],
      [{ ...good, id: '2' }, /:2: id must look like t001, got "2"/],
      [{ ...good, id: 't002', de: '' }, /:2: de must be a non-empty string/],
      [{ ...good, id: 't002', fr: 42 }, /:2: fr must be a non-empty string/],
      [{ id: 't002', split: 'dev', topic: 'food', en: 'Hi.', fr: 'Salut.' }, /:2: de must be a non-empty string/],
      [{ ...good, id: 't002', es: 'Me gusta la sopa.' }, /:2: unknown field es/],
      [{ ...good, id: 't002', en: 'I like\u200b soup.' }, /:2: en holds a control or invisible format character/],
      [{ ...good, id: 't002', en: 'I like\tsoup.' }, /:2: en holds a control/],
      [{ ...good, id: 't002', fr: ' Salut.' }, /:2: fr has spaces at an edge or doubled/],
      [{ ...good, id: 't002', fr: 'Le  chat.' }, /:2: fr has spaces at an edge or doubled/],
      [{ ...good, id: 't002', fr: 'Le cafe\u0301.' }, /:2: fr is not in Unicode NFC/],
      [['t002', 'dev'], /:2: not a JSON object/],
    ];
    for (const [second, message] of refusals) {
      write(good, second);
      await expect(loadHeldoutTranslation({ split: 'all', dir }), String(message)).rejects.toThrow(message);
    }
    write(good, '{"id": "t002", "split": "dev", broken');
    await expect(loadHeldoutTranslation({ split: 'all', dir })).rejects.toThrow(CorpusError);
    await expect(loadHeldoutTranslation({ split: 'all', dir })).rejects.toThrow(/sentences\.jsonl:2:/);
  });

  it('is never read as a training corpus', async () => {
    const pairs = loadTranslationPairs({ file: join(HELDOUT_TRANSLATION.root, '..', 'translation', HELDOUT_TRANSLATION.file), format: 'pairs-jsonl' }, { split: 'train' });
    await expect(pairs.next()).rejects.toThrow(/held-out evaluation data/);
  });
});

describe('the held-out translation set against Tatoeba', () => {
  const norm = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N} ]/gu, ' ').replace(/\s+/g, ' ').trim();

  it('shares no sentence, on any side, with any split of tatoeba-fra-eng or tatoeba-deu-eng', async () => {
    const set = await loadHeldoutTranslation({ split: 'all' });
    const ours = new Map(set.flatMap((s) => HELDOUT_LANGUAGES.map((l) => [norm(s[l]), `${s.id} ${l}`] as const)));
    const seen: string[] = [];
    for (const [name, language] of [['tatoeba-fra-eng', 'fr'], ['tatoeba-deu-eng', 'de']] as const) {
      const file = join(resolveCorporaDir(), corpusEntry(name).dataFiles[0]!);
      for await (const p of readTatoeba(file, new IssueLog(), { language, direction: `${language}-en` })) {
        for (const [text, side] of [[p.src, language], [p.tgt, 'en']] as const) {
          const hit = ours.get(norm(text));
          if (hit?.endsWith(` ${side}`)) seen.push(hit);
        }
      }
    }
    expect(seen).toEqual([]);
  });
});
