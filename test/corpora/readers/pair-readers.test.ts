import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { CorpusError, IssueLog, formatIssue } from '../../../corpora/errors.ts';
import { resolveCorporaDir } from '../../../corpora/paths.ts';
import { readPtb } from '../../../corpora/readers/ptb.ts';
import { readSelfDialogue } from '../../../corpora/readers/self-dialogue.ts';
import { readTatoeba } from '../../../corpora/readers/tatoeba.ts';
import { readConversationsJsonl, readPairsJsonl, readPairsTsv } from '../../../corpora/readers/user-pairs.ts';

const tmp = mkdtempSync(join(tmpdir(), 'parley-corpora-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
};
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('Tatoeba reader', () => {
  it('reads all 142,787 English–French pairs in either direction', async () => {
    const file = join(resolveCorporaDir(), 'translation/tatoeba-anki-fra-eng/fra.txt');
    const log = new IssueLog();
    const pairs = await all(readTatoeba(file, log, { language: 'fr', direction: 'en-fr' }));
    expect(pairs.length).toBe(142787);
    expect(log.count).toBe(0);
    expect(pairs[0]).toMatchObject({ src: 'Go.', tgt: 'Va !', direction: 'en-fr', source: { line: 1 } });
    expect(pairs.some((p) => p.attribution !== undefined)).toBe(false);
  });

  it('keeps a third attribution column, reports bad lines with file:line, and refuses a wrong direction', async () => {
    const file = write('fra.txt', 'Hi.\tSalut.\tCC-BY 2.0 (France) Attribution: tatoeba.org #538123\nno tab here\n\nRun!\t\nGo.\tVa !\n');
    const log = new IssueLog();
    const pairs = await all(readTatoeba(file, log, { language: 'fr', direction: 'fr-en' }));
    expect(pairs.map((p) => [p.src, p.tgt, p.attribution])).toEqual([
      ['Salut.', 'Hi.', 'CC-BY 2.0 (France) Attribution: tatoeba.org #538123'],
      ['Va !', 'Go.', undefined],
    ]);
    expect(log.issues.map(formatIssue)).toEqual([
      `${file}:2: expected 2 or 3 tab-separated columns (English, fr, attribution), got 1`,
      `${file}:4: empty sentence`,
    ]);
    await expect(all(readTatoeba(file, new IssueLog(), { language: 'fr', direction: 'de-en' }))).rejects.toThrow(/direction must be/);
  });
});

describe("a user's own pairs and conversations", () => {
  it('reads TSV pairs and reports lines without exactly two columns', async () => {
    const file = write('pairs.tsv', 'hello\tbonjour\na\tb\tc\n\nthanks\tmerci\r\n');
    const log = new IssueLog();
    const pairs = await all(readPairsTsv(file, log, 'en-fr'));
    expect(pairs.map((p) => [p.src, p.tgt, p.direction])).toEqual([
      ['hello', 'bonjour', 'en-fr'],
      ['thanks', 'merci', 'en-fr'],
    ]);
    expect(log.issues.map((i) => i.line)).toEqual([2]);
  });

  it('reads JSONL pairs and reports invalid JSON and missing fields', async () => {
    const file = write('pairs.jsonl', '{"src":"hi","tgt":"salut"}\n{not json\n{"src":"x"}\n[1,2]\n');
    const log = new IssueLog();
    const pairs = await all(readPairsJsonl(file, log));
    expect(pairs.map((p) => p.src)).toEqual(['hi']);
    expect(log.issues.map((i) => [i.line, i.message.split(':')[0]])).toEqual([
      [2, 'invalid JSON'],
      [3, '"tgt" is not a string'],
      [4, 'not a JSON object'],
    ]);
  });

  it('reads conversations with string or {text, speaker} turns', async () => {
    const file = write(
      'conv.jsonl',
      [
        '{"id":"c1","turns":["hi","hello","how are you?"]}',
        '{"turns":[{"text":"help","role":"user"},{"text":"sure","role":"assistant"}]}',
        '{"turns":["only one"]}',
        '{"turns":["a",""]}',
      ].join('\n'),
    );
    const log = new IssueLog();
    const cs = await all(readConversationsJsonl(file, log));
    expect(cs.map((c) => [c.id, c.turns, c.speakers])).toEqual([
      ['c1', ['hi', 'hello', 'how are you?'], undefined],
      ['help', ['help', 'sure'], ['user', 'assistant']],
    ]);
    expect(log.issues.map((i) => i.line)).toEqual([3, 4]);
  });
});

describe('treebank reader', () => {
  it('skips bad trees, naming the line each starts on', async () => {
    const file = write('doc.ptb', '(ROOT (NP (NN a)))\n\n(ROOT (NN b c))\nstray\n(ROOT (NP (NN d)))(ROOT\n  (NP (NN e))\n');
    const log = new IssueLog();
    const trees = await all(readPtb(file, log));
    expect(trees.map((t) => [t.words, t.document, t.source.line])).toEqual([
      [['a'], 'doc', 1],
      [['d'], 'doc', 5],
    ]);
    expect(log.issues.map((i) => [i.line, i.message.split(':')[0]])).toEqual([
      [3, 'bad tree'],
      [4, 'text outside any tree'],
      [5, 'tree never closes (1 bracket(s) open at end of file)'],
    ]);
  });
});

describe('empty and unreadable corpora', () => {
  it('is a CorpusError naming the file when it is missing or a directory', async () => {
    const missing = join(tmp, 'nope.jsonl');
    await expect(all(readSelfDialogue(missing, new IssueLog()))).rejects.toThrow(CorpusError);
    await expect(all(readSelfDialogue(missing, new IssueLog()))).rejects.toThrow(`cannot read corpus file ${missing}: not found`);
    mkdirSync(join(tmp, 'adir'));
    await expect(all(readPtb(join(tmp, 'adir'), new IssueLog()))).rejects.toThrow(/is a directory/);
  });

  it('is a CorpusError when a file is empty or holds no usable record', async () => {
    await expect(all(readPairsTsv(write('empty.tsv', ''), new IssueLog()))).rejects.toThrow(/no usable examples in .*empty\.tsv$/);
    await expect(all(readPairsTsv(write('bad.tsv', 'x\ny\n'), new IssueLog()))).rejects.toThrow(
      /no usable examples in .*bad\.tsv; 2 bad record\(s\) skipped; first: .*bad\.tsv:1: expected 2/,
    );
  });
});
