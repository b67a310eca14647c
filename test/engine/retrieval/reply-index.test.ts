// The retrieval store on a real tiny chat model: encoder embeddings, an hnswlib index saved to and
// loaded from a model directory, and the nearest prompts' replies.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../engine/backend.ts';
import { loadPipeline, type Pipeline } from '../../../engine/pipeline/pipeline.ts';
import { embedSources } from '../../../engine/retrieval/embed.ts';
import { ReplyIndex } from '../../../engine/retrieval/reply-index.ts';
import { mmiPairs, writeMmiModels } from '../../helpers/mmi-models.ts';
import { tempDir } from '../../helpers/tmp.ts';

const root = tempDir('parley-retrieval');
const dir = path.join(root, 'chat');
let pipeline: Pipeline;
const prompts = mmiPairs.map((p) => p.input as string[]);

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  await writeMmiModels(dir, { backwardSteps: 1 });
  pipeline = await loadPipeline(dir);
  return () => pipeline.dispose();
}, 120_000);

describe('encoder sentence embeddings', () => {
  it('are the same for a prompt alone as in a padded batch', () => {
    const sources = prompts.map((p) => pipeline.encodeInput(p));
    const batched = embedSources(pipeline.model, sources, 3);
    sources.forEach((s, i) => {
      const [alone] = embedSources(pipeline.model, [s]);
      alone!.forEach((v, j) => expect(v).toBeCloseTo(batched[i]![j]!, 5));
    });
    expect(batched[0]!.length).toBe(24);
  });

  it('come back in the order given when batches are sorted by length and cut by size', () => {
    // Lengths 1..60 out of order, in batches of 4 rows: sorting must not reorder the vectors returned.
    const lengths = [60, 3, 1, 45, 7, 2, 33, 12, 5, 21, 1, 9];
    const sources = lengths.map((n, i) => Array.from({ length: n }, (_, j) => 4 + ((i * 7 + j) % 50)));
    const batched = embedSources(pipeline.model, sources, 4);
    expect(batched).toHaveLength(sources.length);
    sources.forEach((s, i) => {
      const [alone] = embedSources(pipeline.model, [s]);
      alone!.forEach((v, j) => expect(v).toBeCloseTo(batched[i]![j]!, 5));
    });
    // Different sources give different vectors, so a swapped order would fail above.
    expect(batched[0]).not.toEqual(batched[1]);
  });
});

describe('ReplyIndex', () => {
  it('finds each prompt itself nearest after a save and load, with its reply and source', () => {
    const vectors = embedSources(pipeline.model, prompts.map((p) => pipeline.encodeInput(p)));
    ReplyIndex.build(vectors, mmiPairs.map((p, i) => ({ text: p.target, source: `mmi:${i}` }))).save(dir);
    const index = ReplyIndex.load(dir)!;
    vectors.forEach((v, i) => {
      const [first, second] = index.nearest(v, 2);
      expect(first).toMatchObject({ text: mmiPairs[i]!.target, source: `mmi:${i}` });
      expect(first!.distance).toBeCloseTo(0, 5);
      expect(second!.distance).toBeGreaterThanOrEqual(first!.distance);
    });
    expect(index.nearest(vectors[0]!, 100)).toHaveLength(mmiPairs.length);
  });

  it('is none for a directory without one, and refuses vectors that do not match the replies', () => {
    expect(ReplyIndex.load(root)).toBeNull();
    expect(() => ReplyIndex.build([new Float32Array(4)], [])).toThrow(/1 prompt vectors for 0 replies/);
  });
});
