import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHeldoutChat } from '../../corpora/heldout.ts';
import { repoRoot } from '../../corpora/paths.ts';
import { saveModel } from '../../engine/checkpoint/model-dir.ts';
import { modelConfig } from '../../engine/config.ts';
import { initBackend } from '../../engine/backend.ts';
import { usesContext } from '../../engine/metrics/mentions.ts';
import { Seq2Seq } from '../../engine/models/seq2seq.ts';
import { buildTokenizer, type TextPair } from '../../engine/pipeline/build-tokenizer.ts';
import { encodeModelProto } from '../../engine/tokenizer/model-proto.ts';
import { tempDir } from '../helpers/tmp.ts';

const bin = path.join(repoRoot, 'bin/parley.js');
const parley = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: repoRoot });
const FAST = JSON.stringify({ strategy: 'greedy', maxLength: 6 });
const tmp = tempDir('parley-eval-chat');

/** An untrained tiny chat model, as parley train writes one. */
async function chatModel(task: 'chat' | 'translate'): Promise<string> {
  const dir = path.join(tmp, task);
  const texts: TextPair[] = [{ input: ['I like films and music, food and travel.'], target: 'So do I! Where would you go?' }];
  const proto = buildTokenizer(texts, { task, vocabSize: 320 });
  const model = new Seq2Seq(modelConfig('nrm-hybrid', {
    vocabSize: proto.pieces.length, embedding: 8, dropout: 0, encoder: { hidden: 8 }, decoder: { hidden: 8 }, attention: { dim: 8 }, readout: { dim: 8 },
  }));
  await saveModel(dir, model, { task, pipelineTask: task, tokenizer: 'tokenizer.model', ...(task === 'chat' ? { contextTurns: 2, decoding: { strategy: 'beam', beamSize: 2 } } : {}) });
  writeFileSync(path.join(dir, 'tokenizer.model'), encodeModelProto(proto));
  model.dispose();
  return dir;
}

let chat: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  chat = await chatModel('chat');
});

describe('parley eval --heldout chat', () => {
  it('reports perplexity, hits@1/20, reply statistics and judged dialogue answers with every reply, and writes the card section', async () => {
    const markdown = path.join(tmp, 'card.md');
    const r = parley(['eval', '--model', chat, '--heldout', 'chat', '--split', 'test', '--options', FAST, '--markdown', markdown]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const test = await loadHeldoutChat({ split: 'test' });
    expect(out).toMatchObject({ heldout: 'chat', split: 'test', messages: 50, dialogues: 10, decoding: { strategy: 'greedy', maxLength: 6 } });
    expect(out.replies.map((x: { id: string }) => x.id)).toEqual(test.messages.map((m) => m.id));
    expect(out.dialogueAnswers.map((x: { id: string }) => x.id)).toEqual(test.dialogues.map((d) => d.id));
    const judged = out.dialogueAnswers.filter((a: { id: string; reply: string }, i: number) => usesContext(a.reply, test.dialogues[i]!));
    expect(out.dialoguesUsingContext).toBe(judged.length);
    const counts = new Map<string, number>();
    for (const { reply } of out.replies) counts.set(reply.trim(), (counts.get(reply.trim()) ?? 0) + 1);
    expect(out.mostRepeated.count).toBe(Math.max(...counts.values()));
    expect(out.emptyReplies).toBe(out.replies.filter((x: { reply: string }) => x.reply.trim() === '').length);
    expect(out.perplexity).toBeGreaterThan(10);
    expect(out.hits1of20).toBeGreaterThanOrEqual(0);
    expect(out.hits1of20).toBeLessThanOrEqual(0.25);
    expect(out.contextGain).toMatchObject({ items: 10 });
    expect(out.contextGain.helped).toBeGreaterThanOrEqual(0);
    expect(out.contextGain.helped).toBeLessThanOrEqual(10);
    expect(Number.isFinite(out.contextGain.natsPerToken)).toBe(true);
    const card = readFileSync(markdown, 'utf8');
    expect(card).toMatch(/## Held-out chat set \(corpora\/heldout\/chat, test half\)/);
    expect(card).toContain(`parley eval --model ${chat} --heldout chat --split test --options '${FAST}'\n`);
    expect(card).not.toContain('--markdown');
    for (const m of test.messages) expect(card).toContain(`| ${m.id} | test | ${m.category} |`);
    expect(card).toContain(`| ${test.dialogues[0]!.id} | test |`);
    expect(card).toContain(`${out.dialoguesUsingContext} of 10`);
    expect(card).toContain(`| dialogue references likelier given the earlier turns (those the model reads) than the last message alone | ${out.contextGain.helped} of 10 (`);
  });

  it("decodes as the model is served: its own decoding defaults when no --options are given", () => {
    const r = parley(['eval', '--model', chat, '--heldout', 'chat', '--split', 'dev']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ split: 'dev', decoding: { strategy: 'beam', beamSize: 2 }, messages: 50, dialogues: 10 });
  });

  it('refuses corpus flags, unknown sets and splits, --markdown alone, and models of other tasks', async () => {
    const refusals: [string[], number, RegExp][] = [
      [['--heldout', 'chat', '--corpus', 'sgd'], 2, /drop --corpus/],
      [['--heldout', 'chat', '--split', 'train'], 2, /must be test, dev or all/],
      [['--heldout', 'chat', '--split', 'constructor'], 2, /must be test, dev or all, got "constructor"/],
      [['--heldout', 'klingon'], 2, /--heldout must be chat or translate, got "klingon"/],
      [['--markdown', path.join(tmp, 'x.md')], 2, /add --heldout chat/],
    ];
    for (const [args, status, message] of refusals) {
      const r = parley(['eval', '--model', chat, ...args]);
      expect(r.status, args.join(' ')).toBe(status);
      expect(r.stderr).toMatch(message);
    }
    const r = parley(['eval', '--model', await chatModel('translate'), '--heldout', 'chat']);
    expect([r.status, r.stderr]).toEqual([1, expect.stringMatching(/needs a chat model; this one does the translate task/)]);
  });
});

describe('parley eval on a chat corpus split', () => {
  it('adds hits@1/20 and the reply statistics to the metrics', () => {
    const file = path.join(tmp, 'chats.jsonl');
    const lines = Array.from({ length: 600 }, (_, i) => JSON.stringify({ id: `c${i}`, turns: [`hello number ${i}`, `reply ${i} here`, `and ${i % 7} more`] }));
    writeFileSync(file, lines.join('\n'));
    const r = parley(['eval', '--model', chat, '--corpus', file, '--split', 'test', '--limit', '30', '--options', FAST]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.decoded).toBe(30);
    for (const key of ['perplexity', 'hits1of20', 'distinct1', 'distinct2', 'emptyReplies', 'meanLength']) expect(typeof out[key], key).toBe('number');
    expect(out.mostRepeated.count).toBeGreaterThanOrEqual(1);
    expect(out.hits1of20).toBeLessThanOrEqual(0.3);
    // The pairs with an earlier turn (the second reply of each conversation), 30 spread over the split.
    expect(out.contextGain).toMatchObject({ items: 30 });
    expect(Number.isFinite(out.contextGain.natsPerToken)).toBe(true);
  });

  it('reports hits@1/20 as null when the split has fewer than 20 distinct replies, and still evaluates', () => {
    const file = path.join(tmp, 'few.jsonl');
    writeFileSync(file, Array.from({ length: 400 }, (_, i) => JSON.stringify({ id: `f${i}`, turns: [`hi ${i}`, `answer ${i % 5}`] })).join('\n'));
    const r = parley(['eval', '--model', chat, '--corpus', file, '--split', 'test', '--limit', '5', '--options', FAST]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hits1of20).toBeNull();
    expect(typeof out.perplexity).toBe('number');
    expect(out).not.toHaveProperty('contextGain'); // two-turn conversations: no pair has an earlier turn
  });
});
