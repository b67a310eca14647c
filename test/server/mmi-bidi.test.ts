// MMI-bidi through the server on the real engine: a chat model with a backward model in its directory
// (tfjs and, for the forward search, ONNX Runtime) reranks its n-best by score + λ·log p(message | reply).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { exportOnnx, initBackend } from '../../engine/index.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { requestCost } from '../../server/service/cost-budget.ts';
import { createEngineFactory } from '../../server/service/engine-factory.ts';
import { readModelDir } from '../../server/service/model-loader.ts';
import { nameBackward, writeMmiModels } from '../helpers/mmi-models.ts';
import { tempDir } from '../helpers/tmp.ts';

interface Hyp { text: string; score: number; backwardLogProb?: number }

describe('MMI-bidi in the server', () => {
  const root = tempDir('parley-mmi-server');
  const models = path.join(root, 'models');
  let server: RunningServer;

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    await writeMmiModels(path.join(models, 'chat'));
    cpSync(path.join(models, 'chat'), path.join(models, 'chat-onnx'), { recursive: true });
    exportOnnx(path.join(models, 'chat-onnx'));
    cpSync(path.join(models, 'chat'), path.join(models, 'chat-alone'), { recursive: true });
    nameBackward(path.join(models, 'chat-alone'), null);
    cpSync(path.join(models, 'chat'), path.join(models, 'chat-broken'), { recursive: true });
    nameBackward(path.join(models, 'chat-broken'), '../no-such-backward');
    server = await startServer({ port: 0, host: '127.0.0.1', modelsDir: models, dbFile: path.join(root, 'db.sqlite'), factory: createEngineFactory({ engine: 'auto', exportMissing: false }), logger: pino({ level: process.env.PARLEY_TEST_LOG ?? 'silent' }) });
  }, 120_000);
  afterAll(() => server?.close());

  const chat = async (model: string, text: string, options: Record<string, unknown>) => {
    const res = await fetch(new URL('/api/chat', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, text, options }) });
    return { status: res.status, body: (await res.json()) as { message: { text: string; reply: { nBest: Hyp[] } }; error?: { message: string } } };
  };
  const beam = { strategy: 'beam' as const, beamSize: 4, nBest: 4, returnNBest: true, maxLength: 6 };

  it.each(['chat', 'chat-onnx'])('%s: reranks the forward n-best by score + λ·log p(message | reply)', async (model) => {
    const lambda = 1.5;
    const plain = await chat(model, 'the teal one', beam);
    const mmi = await chat(model, 'the teal one', { ...beam, mmiBidi: { lambda } });
    expect(plain.status).toBe(200);
    expect(mmi.status).toBe(200);
    const forward = new Map(plain.body.message.reply.nBest.map((h) => [h.text, h.score]));
    const reranked = mmi.body.message.reply.nBest;
    expect(reranked.length).toBeGreaterThan(1);
    for (const h of reranked) {
      expect(h.backwardLogProb).toBeLessThan(0);
      expect(h.score).toBeCloseTo(forward.get(h.text)! + lambda * h.backwardLogProb!, 4);
    }
    expect(reranked.map((h) => h.score)).toEqual([...reranked.map((h) => h.score)].sort((a, b) => b - a));
    expect(mmi.body.message.text).toBe(reranked[0]!.text);
  });

  it('returns only the reranked best when returnNBest is not asked for', async () => {
    const { nBest: _n, returnNBest: _r, ...rest } = beam;
    const all = await chat('chat', 'the red one', { ...beam, mmiBidi: { lambda: 1 } });
    const one = await chat('chat', 'the red one', { ...rest, nBest: 4, mmiBidi: { lambda: 1 } });
    expect(one.status).toBe(200);
    expect(one.body.message.reply.nBest).toHaveLength(1);
    expect(one.body.message.text).toBe(all.body.message.reply.nBest[0]!.text);
  });

  it('refuses mmiBidi with 400 for a chat model without a backward model', async () => {
    const res = await chat('chat-alone', 'the red one', { ...beam, mmiBidi: { lambda: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toMatch(/no backward model/);
    expect((await chat('chat-alone', 'the red one', beam)).status).toBe(200);
  });

  it('does not serve a chat model whose backward model is missing, and serves the others', async () => {
    const list = (await (await fetch(new URL('/api/models', server.url))).json()) as { models: { id: string }[] };
    expect(list.models.map((m) => m.id).sort()).toEqual(['chat', 'chat-alone', 'chat-onnx']);
  });

  it('counts the backward scoring in the request cost', async () => {
    const model = await createEngineFactory({ engine: 'tfjs', exportMissing: false })(readModelDir(models, 'chat'), { observeBatchSize: () => {} });
    try {
      const inputs = ['the red one'];
      const plain = requestCost([{ model, inputs, options: beam }]).cost;
      const mmi = requestCost([{ model, inputs, options: { ...beam, mmiBidi: { lambda: 1 } } }]).cost;
      const plan = model.plan({ inputs, options: { ...beam, mmiBidi: { lambda: 1 } } });
      // 4 candidates, each forced through the message's tokens and EOS, over a source of up to 6 tokens.
      expect(plan.rerankRowSteps).toBeGreaterThan(4 * 2);
      expect(mmi - plain).toBe(Math.ceil(plain + plan.rerankRowSteps!) - plain);
    } finally {
      await model.dispose?.();
    }
  });
});
