// The decoding-option audit's findings, each with the exact input that found it, on the real engine
// (forward, backward and index; a model without them; one without attention): options a model cannot
// run are refused by name before a chat message is stored, and MMI-antiLM's language-model lane and
// retrieved replies longer than the search are charged by the cost budget.
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadPipeline } from '../../engine/index.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { requestCost, SOURCE_TOKENS_PER_STEP_COST } from '../../server/service/cost-budget.ts';
import { createEngineFactory } from '../../server/service/engine-factory.ts';
import { readModelDir } from '../../server/service/model-loader.ts';
import { tempDir } from '../helpers/tmp.ts';
import { forRequest, newSession, next, type ClientSocket } from './helpers/harness.ts';
import { LONG_REPLY, writeOptionModels } from '../../testkit/option-models.ts';
import { io as connect } from 'socket.io-client';

describe('decoding options the model cannot run, and their cost', () => {
  const root = tempDir('parley-option-audit');
  const models = path.join(root, 'models');
  let server: RunningServer;
  const factory = createEngineFactory({ engine: 'tfjs', exportMissing: false });

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    await writeOptionModels(models);
    server = await startServer({ port: 0, host: '127.0.0.1', modelsDir: models, dbFile: path.join(root, 'db.sqlite'), factory, maxRequestCost: 20_000, logger: pino({ level: process.env.PARLEY_TEST_LOG ?? 'silent' }) });
  }, 120_000);
  afterAll(() => server?.close());

  const chat = async (model: string, options: unknown) => {
    const res = await fetch(new URL('/api/chat', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, text: 'the teal one', options }) });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  };

  it.each([
    ['plain', { retrieved: 5 }, 'retrieved: 5, but this model has no retrieval index'],
    ['plain', { beamSize: 3, nBest: 3, mmiBidi: { lambda: 1 } }, 'mmiBidi: no backward model'],
    ['chat', { strategy: 'sample', topK: 100000 }, 'topK: 100000 exceeds the vocabulary size'],
    ['chat', { blocklist: [[999999]] }, 'blocklist.0: token id outside the vocabulary'],
    ['global', { coveragePenalty: 1 }, 'coveragePenalty: this model has no attention'],
    ['chat', { beamSize: 3, nBest: 3, returnNBest: false, retrieved: 3 }, 'returnNBest: false, but nBest is 3'],
  ])('refuses %s %j over socket.io before storing the message, naming the option', async (model, options, message) => {
    const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
      const sessionId = await newSession(socket);
      let accepted = false;
      socket.on('chat:accepted', () => (accepted = true));
      const refused = next(socket, 'request:error', forRequest('bad'));
      socket.emit('chat:send', { requestId: 'bad', text: 'the teal one', model, options: options as never });
      expect(await refused).toMatchObject({ code: 'invalid_input', message: expect.stringContaining(message) });
      const state = next(socket, 'session:state', forRequest('again'));
      socket.emit('session:resume', { requestId: 'again', sessionId });
      expect(accepted).toBe(false);
      expect((await state).messages).toEqual([]);
    } finally {
      socket.disconnect();
    }
    // The same over HTTP; the model still answers a request it can run.
    expect(await chat(model, options)).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', message: expect.stringContaining(message) } } });
    expect((await chat(model, { maxLength: 4 })).status).toBe(200);
  });

  it("charges MMI-antiLM's language-model lane: rows × min(gamma, maxLength + 1), refused over the budget", async () => {
    const model = await factory(readModelDir(models, 'plain'), { observeBatchSize: () => {} });
    try {
      const inputs = ['the teal one'];
      const beam = { beamSize: 32, maxLength: 512 };
      const antiLm = { ...beam, mmiAntiLm: { lambda: 1, gamma: 512 } };
      expect(model.plan({ inputs, options: antiLm })).toMatchObject({ rows: 32, maxSteps: 512, lmRowSteps: 32 * 512 });
      expect(model.plan({ inputs, options: { ...beam, mmiAntiLm: { lambda: 1, gamma: 7 } } }).lmRowSteps).toBe(32 * 7);
      expect(model.plan({ inputs, options: beam }).lmRowSteps).toBeUndefined();
      const plain = requestCost([{ model, inputs, options: beam }]).cost;
      const withLm = requestCost([{ model, inputs, options: antiLm }]).cost;
      expect(withLm - plain).toBeGreaterThanOrEqual(32 * 512);
      // Under the test server's budget of 20,000 the search alone fits and the search with its LM lane does not.
      expect(plain).toBeLessThan(20_000);
      const res = await chat('plain', antiLm);
      expect(res).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large', message: expect.stringContaining(`request costs ${withLm} decoder row-steps`) } } });
      expect(res.body.error!.message).toContain('mmiAntiLm.gamma');
    } finally {
      await model.dispose?.();
    }
  });

  it('charges the retrieved pool as long as its longest indexed reply when that is longer than the search', async () => {
    const model = await factory(readModelDir(models, 'chat'), { observeBatchSize: () => {} });
    const forward = await loadPipeline(path.join(models, 'chat'));
    try {
      const inputs = ['the teal one'];
      const longest = forward.codec.encodeTarget(LONG_REPLY).length;
      expect(longest).toBeGreaterThan(20);
      const source = model.plan({ inputs, options: {} }).sourceTokens;
      // Beam 2 to 1 token, and 3 retrieved replies: 5 candidates, scored together through longest + EOS steps.
      const plan = model.plan({ inputs, options: { beamSize: 2, maxLength: 1, retrieved: 3 } });
      expect(plan.rerankRowSteps).toBeCloseTo((2 + 3) * (longest + 1) * (1 + source / SOURCE_TOKENS_PER_STEP_COST), 6);
      // A search longer than every indexed reply is what bounds the pool.
      expect(longest).toBeLessThan(400);
      const long = model.plan({ inputs, options: { beamSize: 2, maxLength: 400, retrieved: 3 } });
      expect(long.rerankRowSteps).toBeCloseTo((2 + 3) * 401 * (1 + source / SOURCE_TOKENS_PER_STEP_COST), 6);
    } finally {
      forward.dispose();
      await model.dispose?.();
    }
  });
});
