// The retrieved candidate pool through the server on the real engine: a chat model with a retrieval
// index in its directory adds the nearest training prompts' replies to its n-best, scores every
// candidate alike (forward log-probability, plus λ·backward with MMI-bidi) and says where each came from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { pino } from 'pino';
import { embedSources, initBackend, loadPipeline, replyLogProbs, ReplyIndex, type Pipeline } from '../../engine/index.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { createEngineFactory } from '../../server/service/engine-factory.ts';
import { mmiPairs, writeMmiModels } from '../helpers/mmi-models.ts';
import { tempDir } from '../helpers/tmp.ts';

interface Hyp { text: string; score: number; backwardLogProb?: number; origin?: string }

describe('the retrieved candidate pool', () => {
  const root = tempDir('parley-retrieval-server');
  const dir = path.join(root, 'models', 'chat');
  let server: RunningServer;
  let forward: Pipeline;

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    await writeMmiModels(dir);
    forward = await loadPipeline(dir);
    const vectors = embedSources(forward.model, mmiPairs.map((p) => forward.encodeInput(p.input)));
    ReplyIndex.build(vectors, mmiPairs.map((p, i) => ({ text: p.target, source: `mmi:${i}` }))).save(dir);
    server = await startServer({ port: 0, host: '127.0.0.1', modelsDir: path.join(root, 'models'), dbFile: path.join(root, 'db.sqlite'), factory: createEngineFactory({ engine: 'tfjs', exportMissing: false }), logger: pino({ level: process.env.PARLEY_TEST_LOG ?? 'silent' }) });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    forward?.dispose();
  });

  const chat = async (options: Record<string, unknown>) => {
    const res = await fetch(new URL('/api/chat', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', text: 'the teal one', options }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { message: { text: string; reply: { nBest: Hyp[] } } }).message;
  };
  const beam = { strategy: 'beam', beamSize: 3, nBest: 3, returnNBest: true, maxLength: 6 };
  const forwardLogProb = async (reply: string) => (await replyLogProbs(forward, [{ input: ['the teal one'], reply }]))[0]!;

  it('adds the nearest prompts\' replies, each marked retrieved, all ranked by log p(reply | message)', async () => {
    const message = await chat({ ...beam, retrieved: 3 });
    const nBest = message.reply.nBest;
    const replies = new Set(mmiPairs.map((p) => p.target));
    // 'the teal one' is itself an indexed prompt: its reply, 'ant sits', is in the pool.
    expect(nBest.map((h) => h.text)).toContain('ant sits');
    const retrieved = nBest.filter((h) => h.origin === 'retrieved');
    expect(retrieved.length).toBeGreaterThan(0);
    for (const h of retrieved) expect(replies.has(h.text)).toBe(true);
    expect(nBest.every((h) => h.origin === 'retrieved' || h.origin === 'generated')).toBe(true);
    for (const h of nBest) expect(h.score).toBeCloseTo(await forwardLogProb(h.text), 3);
    expect(nBest.map((h) => h.score)).toEqual([...nBest.map((h) => h.score)].sort((a, b) => b - a));
    expect(message.text).toBe(nBest[0]!.text);
  });

  it('adds the backward score when MMI-bidi is asked for too', async () => {
    const nBest = (await chat({ ...beam, retrieved: 3, mmiBidi: { lambda: 2 } })).reply.nBest;
    expect(nBest.some((h) => h.origin === 'retrieved')).toBe(true);
    for (const h of nBest) expect(h.score).toBeCloseTo((await forwardLogProb(h.text)) + 2 * h.backwardLogProb!, 3);
  });

  it('normalises every candidate\'s score by its length as the request asks (GNMT α), generated and retrieved alike', async () => {
    const nBest = (await chat({ ...beam, retrieved: 3, lengthPenalty: { kind: 'gnmt', alpha: 1 } })).reply.nBest;
    expect(nBest.some((h) => h.origin === 'retrieved')).toBe(true);
    for (const h of nBest) {
      const scored = forward.codec.encodeTarget(h.text).length + 1; // EOS included
      expect(h.score).toBeCloseTo((await forwardLogProb(h.text)) / ((5 + scored) / 6), 3);
    }
    expect(nBest.map((h) => h.score)).toEqual([...nBest.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('is turned off per request with retrieved: 0 (and is off by default without config.json retrieval)', async () => {
    for (const options of [{ ...beam, retrieved: 0 }, beam]) {
      const nBest = (await chat(options)).reply.nBest;
      expect(nBest.every((h) => h.origin === 'generated')).toBe(true);
    }
  });
});
