import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IssueLog } from '../../../corpora/errors.ts';
import { CORPORA } from '../../../corpora/manifest.ts';
import { resolveCorporaDir } from '../../../corpora/paths.ts';
import { readChatterbot } from '../../../corpora/readers/chatterbot.ts';
import { readKdconv } from '../../../corpora/readers/kdconv.ts';
import { readSelfDialogue } from '../../../corpora/readers/self-dialogue.ts';
import { readSgd } from '../../../corpora/readers/sgd.ts';
import type { Conversation } from '../../../corpora/types.ts';

const dir = resolveCorporaDir();
const path = (p: string): string => join(dir, p);

async function all(it: AsyncIterable<Conversation>): Promise<Conversation[]> {
  const out: Conversation[] = [];
  for await (const c of it) out.push(c);
  return out;
}
const adjacentPairs = (cs: Conversation[]): number => cs.reduce((n, c) => n + c.turns.length - 1, 0);

describe('self-dialogue reader', () => {
  it('reads 24,155 conversations with the 348,554 adjacent pairs SOURCE.txt states, skipping 10 one-turn lines', async () => {
    const log = new IssueLog();
    const cs = await all(readSelfDialogue(path('dialogue/self-dialogue/self_dialogues.jsonl'), log));
    expect(cs.length).toBe(24155);
    expect(adjacentPairs(cs)).toBe(348554);
    expect(log.count).toBe(10);
    expect(log.issues[0]).toMatchObject({ line: 922, message: expect.stringMatching(/1 turn/) });
    expect(cs[0]).toMatchObject({ id: '0', topic: 'action', source: { line: 1 } });
    expect(cs[0]!.turns[0]).toBe('have you heard of the upcoming black panther movie?');
    expect(new Set(cs.map((c) => c.topic)).size).toBe(23);
  });
});

describe('ChatterBot reader', () => {
  const files = (lang: string): string[] => CORPORA.chatterbot.dataFiles.filter((f) => f.includes(`/data/${lang}/`)).map(path);

  it('reads English: 21 files, 2,025 conversations, 2,306 pairs, and reports the item missing its dash', async () => {
    const log = new IssueLog();
    expect(files('english').length).toBe(21);
    const cs = await all(readChatterbot(files('english'), log));
    expect(cs.length).toBe(2025);
    expect(adjacentPairs(cs)).toBe(2306);
    expect(log.count).toBe(1);
    expect(log.issues[0]!.file.endsWith('english/trivia.yml')).toBe(true);
    expect(log.issues[0]!.line).toBe(35);
    const ai = cs.find((c) => c.topic === 'english/ai')!;
    expect(ai.turns).toEqual(['What is AI?', 'Artificial Intelligence is the branch of engineering and science devoted to constructing machines that think.']);
    const sort = cs.find((c) => c.turns[0] === 'can you write a sorting algorithm?')!;
    expect(sort.turns[1]).toMatch(/^Sure\. Here's quicksort in Python:\n\n```\ndef quicksort\(arr\):\n {4}if len\(arr\) <= 1:/);
  });

  it('reads Chinese: 17 files, 467 conversations, 552 pairs', async () => {
    const log = new IssueLog();
    const cs = await all(readChatterbot(files('chinese'), log));
    expect([files('chinese').length, cs.length, adjacentPairs(cs), log.count]).toEqual([17, 467, 552, 0]);
    expect(cs.find((c) => c.topic === 'chinese/greetings')!.turns).toEqual(['你好', '嗨']);
  });
});

describe('SGD reader', () => {
  it('reads the dev file with alternating USER/SYSTEM speakers', async () => {
    const cs = await all(readSgd(path('dialogue/sgd/sgd_dev.jsonl'), new IssueLog(), 'valid'));
    expect(cs.length).toBe(2098);
    expect(cs[0]).toMatchObject({ id: '1_00000', topic: 'Restaurants_2', upstreamSplit: 'valid' });
    expect(cs[0]!.turns[0]).toBe('I want to make a restaurant reservation for 2 people at half past 11 in the morning.');
    expect(cs[0]!.speakers!.slice(0, 3)).toEqual(['USER', 'SYSTEM', 'USER']);
  });

  it('skips the two test dialogues with an empty turn, naming their lines', async () => {
    const log = new IssueLog();
    const cs = await all(readSgd(path('dialogue/sgd/sgd_test.jsonl'), log));
    expect(cs.length).toBe(2919);
    expect(log.issues.map((i) => [i.line, i.message])).toEqual([
      [312, 'turn 15 text is empty'],
      [650, 'turn 11 text is empty'],
    ]);
  });
});

describe('KdConv reader', () => {
  it('reads 900 Chinese conversations over three domains with their upstream split', async () => {
    const log = new IssueLog();
    const cs = await all(readKdconv(path('chinese/kdconv-devtest/kdconv_devtest.jsonl'), log));
    expect(cs.length).toBe(900);
    expect(log.count).toBe(0);
    expect(new Set(cs.map((c) => c.id.split('/')[0]))).toEqual(new Set(['film', 'music', 'travel']));
    expect(new Set(cs.map((c) => c.upstreamSplit))).toEqual(new Set(['dev', 'test']));
    expect(cs[0]!.turns[0]).toBe('知道恋恋笔记本这部电影吗？');
    expect(new Set(cs.map((c) => c.id)).size).toBe(900);
  });
});
