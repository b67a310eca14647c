// MMI-bidi's backward model (Li et al. 2016) on tiny real models: loading it with the chat model that
// names it, its scores, the reranking formula, and the clear errors of a backward model that is not there.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../engine/backend.ts';
import { rerankByBackward } from '../../../engine/decoding/rerank.ts';
import { backwardLogProbs, loadBackward } from '../../../engine/pipeline/backward.ts';
import { loadPipeline, type Pipeline } from '../../../engine/pipeline/pipeline.ts';
import { replyLogProbs } from '../../../engine/pipeline/rank.ts';
import { mmiPairs, nameBackward, writeMmiModels } from '../../helpers/mmi-models.ts';
import { tempDir } from '../../helpers/tmp.ts';

const root = tempDir('parley-backward');
const dir = path.join(root, 'chat');
const messages = mmiPairs.map((p) => (p.input as string[])[0]!);
const replies = mmiPairs.map((p) => p.target);
let backwardLoss: number;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  backwardLoss = await writeMmiModels(dir);
}, 120_000);

async function withBackward<T>(modelDir: string, fn: (backward: Pipeline | null) => Promise<T>): Promise<T> {
  const forward = await loadPipeline(modelDir);
  try {
    const backward = await loadBackward(forward);
    try {
      return await fn(backward);
    } finally {
      backward?.dispose();
    }
  } finally {
    forward.dispose();
  }
}

describe('the backward model p(message | reply)', () => {
  it('is loaded from the directory the chat model names, and scores a message given the reply alone', async () => {
    expect(backwardLoss).toBeLessThan(0.1); // memorised: the premise of what follows
    await withBackward(dir, async (backward) => {
      expect(backward?.dir).toBe(path.join(dir, 'backward'));
      const scores = await backwardLogProbs(backward!, messages[2]!, replies);
      // The same pairs scored as rank.ts scores replies, with the reply as the only input turn.
      const direct = await replyLogProbs(backward!, replies.map((r) => ({ input: [r], reply: messages[2]! })));
      scores.forEach((s, i) => expect(s).toBeCloseTo(direct[i]!, 4));
      // Memorised: the reply that answers message 2 explains it best.
      expect(scores.indexOf(Math.max(...scores))).toBe(2);
    });
  });

  it('reranks candidates by score + λ·log p(message | reply): a wrong reply the forward model prefers loses', async () => {
    await withBackward(dir, async (backward) => {
      const message = messages[4]!;
      // The forward scores favour reply 0 over the true reply 4 by 1 nat.
      const candidates = [0, 4, 6].map((i) => ({ tokens: [i + 10], text: replies[i]!, score: i === 0 ? -2 : -3 }));
      const b = await backwardLogProbs(backward!, message, candidates.map((c) => c.text));
      const lambda = 0.5;
      const reranked = rerankByBackward(candidates, b, lambda);
      expect(reranked[0]!.text).toBe(replies[4]);
      const expected = candidates.map((c, i) => ({ text: c.text, score: c.score + lambda * b[i]! })).sort((x, y) => y.score - x.score);
      expect(reranked.map((h) => h.text)).toEqual(expected.map((h) => h.text));
      reranked.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 6));
      expect(rerankByBackward(candidates, b, 0).map((h) => h.text)).toEqual(candidates.map((c) => c.text));
    });
  });

  it('gives an empty reply -Infinity: it explains no message', async () => {
    await withBackward(dir, async (backward) => {
      const scores = await backwardLogProbs(backward!, messages[0]!, ['', replies[0]!]);
      expect(scores[0]).toBe(-Infinity);
      expect(Number.isFinite(scores[1])).toBe(true);
    });
  });

  it('is none when the chat model names none', async () => {
    const plain = path.join(root, 'plain');
    cpSync(dir, plain, { recursive: true });
    nameBackward(plain, null);
    await withBackward(plain, async (backward) => expect(backward).toBeNull());
  });

  describe('refuses to load, naming the directory, when the backward model', () => {
    const variant = (name: string, backward: unknown, prepare?: (d: string) => void) => {
      const d = path.join(root, name);
      cpSync(dir, d, { recursive: true });
      nameBackward(d, backward);
      prepare?.(d);
      return d;
    };
    it.each([
      ['is missing', () => variant('missing', 'no-such-dir'), /names backward model .*no-such-dir, which has no config\.json/],
      ['is not a path', () => variant('number', 5), /backward must be a directory path, got 5/],
      ['has a corrupt config.json', () => variant('corrupt', 'backward', (d) => writeFileSync(path.join(d, 'backward', 'config.json'), '{"format": "parley-model", ')), /which does not load: .*config\.json is not valid JSON/],
      ['has an empty weights manifest', () => variant('truncated', 'backward', (d) => {
        writeFileSync(path.join(d, 'backward', 'weights.json'), '{"weightsManifest": []}');
      }), /which does not load/],
      ['is not a chat model', () => variant('translate', 'backward', (d) => {
        const config = path.join(d, 'backward', 'config.json');
        const json = JSON.parse(readFileSync(config, 'utf8'));
        writeFileSync(config, JSON.stringify({ ...json, task: 'translate', pipelineTask: 'translate' }));
      }), /which is a translate model, not chat/],
    ])('%s', async (_name, make, error) => {
      const d = make();
      await expect(withBackward(d, async () => null)).rejects.toThrow(error);
    });
  });
});
