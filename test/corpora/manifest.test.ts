import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { attributionLine, CHATTERBOT_LANGUAGES, CORPORA, CORPUS_NAMES, corpusEntry } from '../../corpora/manifest.ts';
import { repoRoot, resolveCorporaDir } from '../../corpora/paths.ts';
import { CorpusChecksumError, verifyCorpus } from '../../corpora/verify.ts';

const tmp = mkdtempSync(join(tmpdir(), 'parley-manifest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('corpus manifest', () => {
  it('describes every shared corpus with task, licence, attribution, upstream and data files that exist', () => {
    expect([...CORPUS_NAMES].sort()).toEqual(['chatterbot', 'gum', 'kdconv', 'self-dialogue', 'sgd', 'tatoeba-deu-eng', 'tatoeba-fra-eng']);
    const dir = resolveCorporaDir();
    for (const entry of Object.values(CORPORA)) {
      expect(entry.licence).not.toBe('');
      expect(entry.attribution).not.toBe('');
      expect(entry.upstream).toMatch(/^https:\/\//);
      expect(entry.dataFiles.length).toBeGreaterThan(0);
      for (const f of entry.dataFiles) {
        expect(f.startsWith(`${entry.root}/`)).toBe(true);
        expect(entry.checksums[f]).toMatch(/^[0-9a-f]{64}$/);
        expect(existsSync(join(dir, f))).toBe(true);
      }
    }
    expect(CORPORA.gum.dataFiles.length).toBe(108);
    expect(CORPORA.chatterbot.variants).toContain('english');
    expect(CORPORA.chatterbot.variants!.length).toBe(28);
    expect(Object.keys(CHATTERBOT_LANGUAGES).sort()).toEqual(CORPORA.chatterbot.variants);
    expect(attributionLine('tatoeba-fra-eng')).toMatch(/tatoeba\.org.*manythings\.org\/anki.*Licence: CC BY 2\.0 FR/);
    expect(() => corpusEntry('wikipedia')).toThrow(/unknown corpus "wikipedia"; known: /);
  });

  it('verifies the shared files against their checksums', async () => {
    for (const name of ['gum', 'kdconv', 'chatterbot', 'tatoeba-fra-eng'] as const) {
      const result = await verifyCorpus(name);
      expect(result.files).toBe(Object.keys(CORPORA[name].checksums).length);
    }
  });

  it('names each changed or missing file when a copy differs', async () => {
    const entry = CORPORA.kdconv;
    const src = resolveCorporaDir();
    for (const f of Object.keys(entry.checksums)) {
      mkdirSync(dirname(join(tmp, f)), { recursive: true });
      copyFileSync(join(src, f), join(tmp, f));
    }
    await expect(verifyCorpus('kdconv', { dir: tmp })).resolves.toMatchObject({ files: 3 });
    writeFileSync(join(tmp, entry.dataFiles[0]!), '{"turns":["tampered","yes"]}\n');
    rmSync(join(tmp, entry.root, 'LICENSE'));
    const error = await verifyCorpus('kdconv', { dir: tmp }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorpusChecksumError);
    expect((error as Error).message).toMatch(/chinese\/kdconv-devtest\/kdconv_devtest\.jsonl: sha256 [0-9a-f]{64}, manifest says/);
    expect((error as Error).message).toMatch(/chinese\/kdconv-devtest\/LICENSE: cannot read corpus file .*not found/);
  });
});

describe('corpus directory resolution', () => {
  const saved = process.env.PARLEY_CORPORA;
  afterEach(() => {
    if (saved === undefined) delete process.env.PARLEY_CORPORA;
    else process.env.PARLEY_CORPORA = saved;
  });

  it('prefers an explicit directory, then PARLEY_CORPORA, then ../shared/corpora beside the repository', () => {
    process.env.PARLEY_CORPORA = '/env/corpora';
    expect(resolveCorporaDir('/explicit')).toBe('/explicit');
    expect(resolveCorporaDir()).toBe('/env/corpora');
    delete process.env.PARLEY_CORPORA;
    expect(resolveCorporaDir()).toBe(resolve(repoRoot, '../shared/corpora'));
    expect(existsSync(join(repoRoot, 'package.json'))).toBe(true);
  });
});
