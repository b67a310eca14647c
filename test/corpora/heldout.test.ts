import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusError } from '../../corpora/errors.ts';
import { HELDOUT_CATEGORIES, HELDOUT_CHAT, loadHeldoutChat } from '../../corpora/heldout.ts';
import { loadConversations, loadDialoguePairs, loadTranslationPairs } from '../../corpora/load.ts';
import { usesContext } from '../../engine/metrics/mentions.ts';
import { tempDir } from '../helpers/tmp.ts';

async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

describe('the held-out chat set', () => {
  it('has 100 messages over the eight categories and 20 dialogues, each split evenly into dev and test', async () => {
    const all = await loadHeldoutChat({ split: 'all' });
    expect(all.messages).toHaveLength(100);
    expect(all.dialogues).toHaveLength(20);
    for (const category of HELDOUT_CATEGORIES) {
      const inCategory = all.messages.filter((m) => m.category === category);
      expect(inCategory.length).toBeGreaterThanOrEqual(12);
      expect(Math.abs(inCategory.filter((m) => m.split === 'dev').length - inCategory.filter((m) => m.split === 'test').length)).toBeLessThanOrEqual(1);
    }
    const test = await loadHeldoutChat({ split: 'test' });
    const dev = await loadHeldoutChat({ split: 'dev' });
    expect([dev.messages.length, test.messages.length, dev.dialogues.length, test.dialogues.length]).toEqual([50, 50, 10, 10]);
    expect(new Set([...dev.messages, ...test.messages].map((m) => m.id)).size).toBe(100);
    expect(new Set(all.messages.map((m) => m.message.toLowerCase())).size).toBe(100);
  });

  it('has dialogues of 2-5 earlier turns whose judge needs an earlier turn and passes the reference', async () => {
    const { dialogues } = await loadHeldoutChat({ split: 'all' });
    for (const d of dialogues) {
      expect(d.turns.length - 1).toBeGreaterThanOrEqual(2);
      expect(d.turns.length - 1).toBeLessThanOrEqual(5);
      expect(usesContext(d.turns.at(-1)!, { keywords: d.keywords })).toBe(false);
      expect(usesContext(d.reference, d)).toBe(true);
      expect(d.mustUse.length).toBeGreaterThan(5);
    }
    const party = dialogues.find((d) => d.mustUse.includes('6, not 4'))!;
    expect(usesContext('A table for 6 at 7 pm.', party)).toBe(true);
    expect(usesContext('A table for 4 at 7 pm.', party)).toBe(false);
    expect(usesContext('A table for 6, not 4.', party)).toBe(false);
  });

  it('refuses a bad record naming its file and line instead of skipping it', async () => {
    const dir = tempDir('parley-heldout');
    const good = { id: 'm1', split: 'dev', category: 'food', message: 'I like soup.', reference: 'Which kind?' };
    const dialogue = { id: 'd1', split: 'test', category: 'food', turns: ['I am vegan.', 'Noted.', 'What should I eat?'], reference: 'A vegan curry.', mustUse: 'remembers vegan', keywords: ['vegan'] };
    const write = (messages: unknown[], dialogues: unknown[]): void => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'messages.jsonl'), messages.map((m) => JSON.stringify(m)).join('\n'));
      writeFileSync(join(dir, 'dialogues.jsonl'), dialogues.map((m) => JSON.stringify(m)).join('\n'));
    };
    write([good], [dialogue]);
    expect((await loadHeldoutChat({ split: 'test', dir })).dialogues.map((d) => d.id)).toEqual(['d1']);
    write([good, { ...good, id: 'm2', split: 'train' }], [dialogue]);
    await expect(loadHeldoutChat({ split: 'all', dir })).rejects.toThrow(/messages\.jsonl:2: split must be "dev" or "test"/);
    write([good, good], [dialogue]);
    await expect(loadHeldoutChat({ split: 'all', dir })).rejects.toThrow(/:2: duplicate id m1/);
    write([good], [{ ...dialogue, turns: ['I am vegan.', 'Noted.', 'What vegan food is good?'] }]);
    await expect(loadHeldoutChat({ split: 'all', dir })).rejects.toThrow(/dialogues\.jsonl:1: a keyword appears in the last message/);
    write([good], [{ ...dialogue, reference: 'Some soup.' }]);
    await expect(loadHeldoutChat({ split: 'all', dir })).rejects.toThrow(/reference reply fails its own judge/);
    write([good, '{"id": "m3", "split": "dev", broken'], [dialogue]);
    await expect(loadHeldoutChat({ split: 'all', dir })).rejects.toThrow(CorpusError);
  });

  it('is never read as a training corpus, whatever its path looks like', async () => {
    const messages = join(HELDOUT_CHAT.root, 'messages.jsonl');
    const dialogues = join(HELDOUT_CHAT.root, '..', 'chat', 'dialogues.jsonl');
    await expect(drain(loadTranslationPairs({ file: messages, format: 'pairs-jsonl' }, { split: 'train' }))).rejects.toThrow(/held-out evaluation data/);
    await expect(drain(loadDialoguePairs({ file: dialogues, format: 'conversations-jsonl' }, { split: 'test', contextTurns: 2 }))).rejects.toThrow(/held-out evaluation data/);
  });
});

describe('the held-out set against the training corpora', () => {
  const norm = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N} ]/gu, '').replace(/\s+/g, ' ').trim();

  it('shares only a few everyday phrases with the train splits of self-dialogue, ChatterBot and SGD', async () => {
    const set = await loadHeldoutChat({ split: 'all' });
    const texts = new Map<string, string>();
    for (const m of set.messages) {
      texts.set(norm(m.message), `${m.id} message`);
      texts.set(norm(m.reference), `${m.id} reference`);
    }
    for (const d of set.dialogues) {
      texts.set(norm(d.turns.at(-1)!), `${d.id} last message`);
      texts.set(norm(d.reference), `${d.id} reference`);
    }
    const seen = new Set<string>();
    for (const corpus of ['self-dialogue', 'chatterbot', 'sgd'] as const) {
      for await (const c of loadConversations(corpus, { split: 'train' })) for (const t of c.turns) if (texts.has(norm(t))) seen.add(texts.get(norm(t))!);
    }
    // Openers anyone types ("Good morning!", the issue's own "Hi there! How are you today?") and two
    // SGD-style requests; no reference reply but the one-word "Green." Written independently, kept because
    // a real user sends them too; a new overlap fails here so that it is a decision, not an accident.
    expect([...seen].sort()).toEqual([
      'd01 last message', 'd14 reference',
      'm015 message', 'm062 message', 'm065 message', 'm066 message', 'm068 message', 'm070 message',
      'm080 message', 'm081 message', 'm083 message', 'm093 message',
    ]);
  });
});
