// `parley eval --heldout chat` with the retrieved pool and MMI-bidi, as the server serves them: a tiny
// chat model trained to answer "<animal> sits", and an index of those replies in its retrieval/.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../corpora/paths.ts';
import { initBackend } from '../../engine/backend.ts';
import { loadPipeline } from '../../engine/pipeline/pipeline.ts';
import { embedSources } from '../../engine/retrieval/embed.ts';
import { ReplyIndex } from '../../engine/retrieval/reply-index.ts';
import { mmiPairs, nameBackward, writeMmiModels } from '../helpers/mmi-models.ts';
import { tempDir } from '../helpers/tmp.ts';

const bin = path.join(repoRoot, 'bin/parley.js');
const parley = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: repoRoot });
const tmp = tempDir('parley-eval-pool');
const model = path.join(tmp, 'chat');
const indexed = new Set(mmiPairs.map((p) => p.target));
// A one-token search: whatever it finds cannot end where a two-word indexed reply does, so under the
// forward model's full log-probability (EOS included) the pool's retrieved replies can win.
const SHORT = { strategy: 'greedy', maxLength: 1 };

interface Reply { id: string; reply: string; origin: string }
interface Result {
  retrieved: number;
  backward: string | null;
  origins: { messages: { generated: number; retrieved: number }; dialogues: { generated: number; retrieved: number } };
  replies: Reply[];
  dialogueAnswers: Reply[];
  timing: { totalMs: number; msPerReply: number };
}
const results = (stdout: string): Result[] => stdout.trim().split('\n').map((line) => JSON.parse(line) as Result);

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  await writeMmiModels(model, { forwardSteps: 150, backwardSteps: 30 });
  const pipeline = await loadPipeline(model);
  try {
    const vectors = embedSources(pipeline.model, mmiPairs.map((p) => pipeline.encodeInput(p.input)));
    ReplyIndex.build(vectors, mmiPairs.map((p, i) => ({ text: p.target, source: `mmi:${i}` }))).save(model);
  } finally {
    pipeline.dispose();
  }
}, 120_000);

describe('parley eval --heldout chat with the retrieved pool', () => {
  it('pool off vs on: the origins change, and every retrieved reply is one of the index', () => {
    const markdown = path.join(tmp, 'card.md');
    const r = parley(['eval', '--model', model, '--heldout', 'chat', '--split', 'dev', '--markdown', markdown,
      '--options', JSON.stringify({ ...SHORT, retrieved: 0 }), '--options', JSON.stringify({ ...SHORT, retrieved: 8 })]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [off, on] = results(r.stdout);
    expect(off!.retrieved).toBe(0);
    expect(off!.origins).toEqual({ messages: { generated: 50, retrieved: 0 }, dialogues: { generated: 10, retrieved: 0 } });
    expect([...off!.replies, ...off!.dialogueAnswers].every((x) => x.origin === 'generated')).toBe(true);

    expect(on!.retrieved).toBe(8);
    const answers = [...on!.replies, ...on!.dialogueAnswers];
    const retrieved = answers.filter((x) => x.origin === 'retrieved');
    expect(on!.origins.messages.retrieved + on!.origins.dialogues.retrieved).toBe(retrieved.length);
    expect(on!.origins.messages.retrieved).toBeGreaterThan(25);
    for (const x of retrieved) expect(indexed.has(x.reply)).toBe(true);
    // A generated reply is whatever the one-token search found, never a two-word indexed reply.
    for (const x of answers.filter((a) => a.origin === 'generated')) expect(x.reply.split(' ').length).toBeLessThanOrEqual(1);
    for (const t of [off!.timing, on!.timing]) expect(t.msPerReply).toBeCloseTo(t.totalMs / 60, 6);

    const card = readFileSync(markdown, 'utf8');
    expect(card).toContain('Candidates: the generated n-best alone (no retrieved pool); no MMI-bidi reranking.');
    expect(card).toContain('the replies of the 8 nearest training prompts');
    expect(card).toContain(`| ${on!.origins.messages.retrieved} of 50 / ${on!.origins.dialogues.retrieved} of 10 |`);
    const first = on!.replies[0]!;
    expect(card).toContain(`| ${first.reply} | ${first.origin} |`);
  }, 300_000);

  it('takes the pool from --retrieved, and records the backward model MMI-bidi reranked with', () => {
    const bidi = { strategy: 'beam', beamSize: 2, maxLength: 3, mmiBidi: { lambda: 1 } };
    const r = parley(['eval', '--model', model, '--heldout', 'chat', '--split', 'dev', '--retrieved', '4', '--options', JSON.stringify(bidi)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [result] = results(r.stdout);
    expect(result!.retrieved).toBe(4);
    expect(result!.backward).toBe(path.join(model, 'backward'));
    for (const x of result!.replies.filter((a) => a.origin === 'retrieved')) expect(indexed.has(x.reply)).toBe(true);
  }, 300_000);

  it('names a backward model with --backward, and refuses a pool without an index or out of range', () => {
    const bare = path.join(tmp, 'bare');
    cpSync(model, bare, { recursive: true });
    rmSync(path.join(bare, 'retrieval'), { recursive: true });
    nameBackward(bare, null);
    const bidi = JSON.stringify({ strategy: 'beam', beamSize: 2, maxLength: 3, mmiBidi: { lambda: 1 } });
    const named = parley(['eval', '--model', bare, '--heldout', 'chat', '--split', 'dev', '--backward', path.join(model, 'backward'), '--options', bidi]);
    expect(named.status).toBe(0);
    expect(results(named.stdout)[0]!.backward).toBe(path.join(model, 'backward'));
    const refusals: [string[], number, RegExp][] = [
      [['--options', bidi], 1, /mmiBidi: no backward model/],
      [['--retrieved', '3'], 2, /a retrieved pool needs .*retrieval\/, which is missing: parley index/],
      [['--options', '{"retrieved":33}'], 2, /--options "retrieved" must be an integer in \[0, 32\], got 33/],
      [['--retrieved=-1'], 2, /--retrieved must be an integer in \[0, 32\], got "-1"/],
    ];
    for (const [args, status, message] of refusals) {
      const r = parley(['eval', '--model', bare, '--heldout', 'chat', '--split', 'dev', ...args]);
      expect([r.status, r.stderr], args.join(' ')).toEqual([status, expect.stringMatching(message)]);
    }
    const noHeldout = parley(['eval', '--model', bare, '--retrieved', '3']);
    expect([noHeldout.status, noHeldout.stderr]).toEqual([2, expect.stringMatching(/--retrieved and --backward evaluate a chat reply as served; add --heldout chat/)]);
  }, 300_000);
});
