// `parley index` on a tiny real chat model and a .tsv corpus: the training split's prompts are embedded
// and indexed in the model directory, each one's nearest neighbour is itself with its own reply.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/index-replies.ts';
import { initBackend } from '../../engine/backend.ts';
import { loadPipeline } from '../../engine/pipeline/pipeline.ts';
import { embedSources } from '../../engine/retrieval/embed.ts';
import { ReplyIndex } from '../../engine/retrieval/reply-index.ts';
import { writeMmiModels } from '../helpers/mmi-models.ts';
import { tempDir } from '../helpers/tmp.ts';

const root = tempDir('parley-index');
const model = path.join(root, 'chat');
const corpus = path.join(root, 'pairs.tsv');
const colours = ['red', 'blue', 'green', 'pink', 'grey', 'gold', 'teal', 'navy', 'lime', 'plum', 'rust', 'sand'];
const pairs = colours.flatMap((c, i) => [[`the ${c} one`, `number ${i} sits`], [`a ${c} hat`, `hat ${i} fits`]]);

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  await writeMmiModels(model, { backwardSteps: 1 });
  writeFileSync(corpus, pairs.map((p) => p.join('\t')).join('\n') + '\n');
}, 120_000);

describe('parley index', () => {
  it("indexes the training split's prompts with their replies and sources", async () => {
    expect(await run(['--model', model, '--corpus', corpus])).toBe(0);
    const stored = JSON.parse(readFileSync(path.join(model, 'retrieval', 'replies.json'), 'utf8')) as { replies: { text: string; source: string }[] };
    const byReply = new Map(pairs.map(([prompt, reply]) => [reply!, prompt!]));
    expect(stored.replies.length).toBeGreaterThan(pairs.length / 2);
    expect(stored.replies.length).toBeLessThanOrEqual(pairs.length);
    for (const r of stored.replies) expect(byReply.has(r.text)).toBe(true);
    const pipeline = await loadPipeline(model);
    try {
      const index = ReplyIndex.load(model)!;
      const prompts = stored.replies.map((r) => byReply.get(r.text)!);
      const vectors = embedSources(pipeline.model, prompts.map((p) => pipeline.encodeInput([p])));
      vectors.forEach((v, i) => expect(index.nearest(v, 1)[0]!.text).toBe(stored.replies[i]!.text));
    } finally {
      pipeline.dispose();
    }
  });

  it('takes --max-examples prompts spread over the training split, not its first ones', async () => {
    const spreadModel = path.join(root, 'chat-spread');
    await writeMmiModels(spreadModel, { forwardSteps: 1, backwardSteps: 1 });
    expect(await run(['--model', spreadModel, '--corpus', corpus])).toBe(0);
    const all = JSON.parse(readFileSync(path.join(spreadModel, 'retrieval', 'replies.json'), 'utf8')) as { replies: { source: string }[] };
    expect(await run(['--model', spreadModel, '--corpus', corpus, '--max-examples', '4'])).toBe(0);
    const some = JSON.parse(readFileSync(path.join(spreadModel, 'retrieval', 'replies.json'), 'utf8')) as { replies: { source: string }[] };
    const position = (s: string) => Number(s.split(':').at(-1));
    expect(some.replies).toHaveLength(4);
    const last = Math.max(...all.replies.map((r) => position(r.source)));
    // One from the start of each quarter of the split.
    expect(some.replies.map((r) => position(r.source))).toEqual([0, 1, 2, 3].map((q) => Math.floor((q * (last + 1)) / 4)));
  });

  it('refuses a command without a corpus', async () => {
    expect(await run(['--model', model])).toBe(2);
  });
});
