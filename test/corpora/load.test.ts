import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conversationPairs, joinTurns } from '../../corpora/dialogue.ts';
import { CorpusError, IssueLog } from '../../corpora/errors.ts';
import { loadConversations, loadDialoguePairs, loadParseExamples, loadTranslationPairs } from '../../corpora/load.ts';
import { toParsePair } from '../../corpora/parse-pairs.ts';
import type { Conversation, DialoguePair, Split } from '../../corpora/types.ts';
import { delinearize } from '../../engine/parsing/linearize.ts';

const tmp = mkdtempSync(join(tmpdir(), 'parley-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const splits: Split[] = ['train', 'valid', 'test'];

describe('dialogue pairs', () => {
  const conversation: Conversation = { id: 'c', turns: ['t0', 't1', 't2', 't3', 't4'], source: { file: 'f', line: 1 } };

  it('pairs each turn with the next and keeps up to k earlier turns as context', () => {
    const pairs = conversationPairs(conversation, { contextTurns: 2 });
    expect(pairs.map((p) => [p.context, p.message, p.response])).toEqual([
      [[], 't0', 't1'],
      [['t0'], 't1', 't2'],
      [['t0', 't1'], 't2', 't3'],
      [['t1', 't2'], 't3', 't4'],
    ]);
    expect(conversationPairs(conversation, { contextTurns: 0 }).every((p) => p.context.length === 0)).toBe(true);
    expect(() => conversationPairs(conversation, { contextTurns: -1 })).toThrow(/contextTurns/);
  });

  it('keeps only the chosen responder when speakers are known', () => {
    const withSpeakers = { ...conversation, speakers: ['USER', 'SYSTEM', 'USER', 'SYSTEM', 'USER'] };
    expect(conversationPairs(withSpeakers, { contextTurns: 1, responder: 'SYSTEM' }).map((p) => p.response)).toEqual(['t1', 't3']);
  });

  it('joins context and message with the turn separator', () => {
    expect(joinTurns({ context: ['hi', 'hello'], message: 'how are you?' }, '<sep>')).toBe('hi <sep> hello <sep> how are you?');
    expect(joinTurns({ context: [], message: 'hi' }, '<sep>')).toBe('hi');
  });
});

describe('loaders', () => {
  it('gives SGD pairs whose responses are all the system, split by upstream file', async () => {
    const valid = await all(loadDialoguePairs('sgd', { split: 'valid', contextTurns: 3 }));
    const conversations = await all(loadConversations('sgd', { split: 'valid' }));
    const systemResponses = conversations.flatMap((c) => c.speakers!.slice(1).filter((s) => s === 'SYSTEM'));
    expect(conversations.length).toBe(2098);
    expect(valid.length).toBe(systemResponses.length);
    expect(valid.length).toBe(19384);
    expect(valid[0]).toMatchObject({
      context: [],
      message: 'I want to make a restaurant reservation for 2 people at half past 11 in the morning.',
      response: 'What city do you want to dine in? Do you have a preferred restaurant?',
      conversationId: '1_00000',
    });
    expect(valid.every((p) => p.context.length <= 3)).toBe(true);
  });

  it('splits ChatterBot by opening utterance, so a repeated prompt never straddles splits', async () => {
    const bySplit = new Map<string, Set<Split>>();
    let total = 0;
    for (const split of splits) {
      for (const c of await all(loadConversations('chatterbot', { split, language: 'english' }))) {
        total++;
        bySplit.set(c.turns[0]!, (bySplit.get(c.turns[0]!) ?? new Set()).add(split));
      }
    }
    expect(total).toBe(2025);
    expect([...bySplit.values()].every((s) => s.size === 1)).toBe(true);
    await expect(all(loadConversations('chatterbot', { split: 'train', language: 'klingon' }))).rejects.toThrow(/no language "klingon"/);
  });

  it('reads a user pair file as translation pairs or as single-turn dialogue', async () => {
    const file = join(tmp, 'mine.tsv');
    writeFileSync(file, Array.from({ length: 200 }, (_, i) => `question ${i}\tanswer ${i}`).join('\n'));
    const ref = { file, format: 'pairs-tsv' as const };
    const counts = await Promise.all(splits.map(async (split) => (await all(loadTranslationPairs(ref, { split }))).length));
    expect(counts.reduce((a, b) => a + b)).toBe(200);
    const dialogue: DialoguePair[] = await all(loadDialoguePairs(ref, { split: 'train', contextTurns: 2 }));
    expect(dialogue.length).toBe(counts[0]);
    expect(dialogue[0]!.context).toEqual([]);
    expect(dialogue[0]!.response).toBe(dialogue[0]!.message.replace('question', 'answer'));
  });

  it('reads a user conversation file with context, and reports its bad lines', async () => {
    const file = join(tmp, 'conv.jsonl');
    const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: `c${i}`, turns: ['a', 'b', 'c'] }));
    writeFileSync(file, [...lines, 'oops'].join('\n'));
    const log = new IssueLog();
    let pairs = 0;
    for (const split of splits) pairs += (await all(loadDialoguePairs({ file, format: 'conversations-jsonl' }, { split, contextTurns: 1, log }))).length;
    expect(pairs).toBe(120);
    expect(log.issues[0]).toMatchObject({ file, line: 61 });
  });

  it('turns GUM test trees into word → bracket-sequence pairs that rebuild the tree', async () => {
    const examples = await all(loadParseExamples('gum', { split: 'test' }));
    expect(examples.length).toBe(491);
    for (const e of examples.slice(0, 50)) {
      const pair = toParsePair(e);
      expect(pair.src.split(' ')).toEqual(e.words);
      expect(pair.tgt.split(' ').filter((t) => t === 'XX').length).toBe(e.words.length);
      expect(delinearize(pair.tgt.split(' '), pair.words).repaired).toBe(false);
    }
  });

  it('refuses wrong tasks, splits and formats loudly', async () => {
    await expect(all(loadTranslationPairs('gum', { split: 'train' }))).rejects.toThrow(/parse corpus, not a translation corpus/);
    await expect(all(loadConversations('tatoeba-fra-eng', { split: 'train' }))).rejects.toThrow(/not a dialogue corpus/);
    await expect(all(loadParseExamples('gum', { split: 'dev' as Split }))).rejects.toThrow(/split must be train, valid or test/);
    await expect(all(loadTranslationPairs({ file: 'x', format: 'csv' as 'pairs-tsv' }, { split: 'train' }))).rejects.toThrow(/format must be one of/);
  });

  it('is a CorpusError pointing at --corpora when the corpus directory is wrong', async () => {
    await expect(all(loadParseExamples('gum', { split: 'test', dir: join(tmp, 'nowhere') }))).rejects.toThrow(CorpusError);
    await expect(all(loadTranslationPairs('tatoeba-deu-eng', { split: 'test', dir: join(tmp, 'nowhere') }))).rejects.toThrow(
      /cannot read corpus file .*deu\.txt: not found \(set --corpora or PARLEY_CORPORA/,
    );
  });
});
