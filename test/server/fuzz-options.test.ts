// Fuzzing the decoding options on the real engine: a fixed-seed fast-check run of hostile option sets
// (testkit/hostile-options.ts) on chat, translate-shaped and socket.io requests to tiny models with a
// backward model and a retrieval index, without them, and without attention. Every answer is 2xx or 4xx,
// no socket error is a server fault, a chat message is stored exactly when it was accepted, and the
// server still answers afterwards. The budget is low so that the heaviest option sets are refused (413)
// rather than decoded; the big run is `npm run bench:hostile -- --option-models`.
import fc from 'fast-check';
import path from 'node:path';
import { pino } from 'pino';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../engine/index.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { createEngineFactory } from '../../server/service/engine-factory.ts';
import { hostileOptions, optionsJson } from '../../testkit/hostile-options.ts';
import { writeOptionModels } from '../../testkit/option-models.ts';
import { tempDir } from '../helpers/tmp.ts';
import { forRequest, newSession, next, type ClientSocket } from './helpers/harness.ts';

const seed = 20261203;
const serverFaults = new Set(['internal', 'timeout', 'shutting_down']);
const model = fc.constantFrom(undefined, 'chat', 'plain', 'global');
const text = fc.constantFrom('the teal one', 'the red one', 'hello');

/**
 * 'reply', the error code that ends request `requestId`, or 'disconnected' when the server closes the
 * connection instead (socket.io does for a packet over maxHttpBufferSize); `onAccepted` runs if it was
 * accepted first.
 */
function outcomeOf(socket: ClientSocket, requestId: string, onAccepted: () => void): Promise<string> {
  return new Promise((resolve) => {
    const accepted = (e: { requestId: string }) => e.requestId === requestId && onAccepted();
    const end = (outcome: string) => {
      socket.off('chat:accepted', accepted);
      socket.off('chat:reply', replied);
      socket.off('request:error', failed);
      socket.off('disconnect', closed);
      resolve(outcome);
    };
    const replied = (e: { requestId: string }) => e.requestId === requestId && end('reply');
    const failed = (e: { requestId: string | null; code: string }) => e.requestId === requestId && end(e.code);
    const closed = () => end('disconnected');
    socket.on('chat:accepted', accepted);
    socket.on('chat:reply', replied);
    socket.on('request:error', failed);
    socket.on('disconnect', closed);
  });
}

/** A socket.io client bound to `sessionId` (a new session when undefined); resolves once resumed. */
async function sessionSocket(url: string, sessionId?: string): Promise<{ socket: ClientSocket; sessionId: string }> {
  const socket: ClientSocket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
  if (sessionId === undefined) return { socket, sessionId: await newSession(socket) };
  const state = next(socket, 'session:state', forRequest('resume'));
  socket.emit('session:resume', { requestId: 'resume', sessionId });
  await state;
  return { socket, sessionId };
}

describe('decoding option fuzzing on the real engine', () => {
  const root = tempDir('parley-fuzz-options');
  let server: RunningServer;

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    await writeOptionModels(path.join(root, 'models'));
    server = await startServer({
      port: 0, host: '127.0.0.1', modelsDir: path.join(root, 'models'), dbFile: path.join(root, 'db.sqlite'),
      factory: createEngineFactory({ engine: 'tfjs', exportMissing: false }), maxRequestCost: 3_000,
      limits: { messagesPerMinutePerIp: 1e9, messagesPerMinutePerSession: 1e9, newSessionsPerMinutePerIp: 1e9 },
      logger: pino({ level: process.env.PARLEY_TEST_LOG ?? 'silent' }),
    });
  }, 300_000);
  afterAll(() => server?.close());

  const post = async (route: string, body: string) => (await fetch(new URL(route, server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status;

  it('answers 300 hostile option sets over HTTP with 2xx or 4xx', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(model, text, hostileOptions, async (m, t, options) => {
        const body = optionsJson({ ...(m === undefined ? {} : { model: m }), text: t, options });
        const status = await post('/api/chat', body);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status >= 200 && status < 300 || status >= 400 && status < 500, `${body.slice(0, 300)} -> ${status}`).toBe(true);
      }),
      { seed, numRuns: 300, endOnFailure: true },
    );
    // Some decoded, some were refused by the schema or the model, some by the budget.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(413)).toBeGreaterThan(0);
    expect(await post('/api/chat', JSON.stringify({ model: 'chat', text: 'the teal one', options: { maxLength: 4, retrieved: 3, mmiBidi: { lambda: 1 } } }))).toBe(200);
  }, 300_000);

  it('answers 200 hostile option sets over socket.io without a server fault, storing exactly the accepted messages', async () => {
    let { socket, sessionId } = await sessionSocket(server.url);
    try {
      const codes = new Map<string, number>();
      let accepted = 0;
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(model, text, hostileOptions, async (m, t, options) => {
          const requestId = `o${++sent}`;
          const payload = { requestId, text: t, ...(m === undefined ? {} : { model: m }), options };
          const outcome = outcomeOf(socket, requestId, () => accepted++);
          socket.emit('chat:send', payload as never);
          const code = await outcome;
          codes.set(code, (codes.get(code) ?? 0) + 1);
          expect(serverFaults.has(code), `${JSON.stringify(options).slice(0, 300)} -> ${code}`).toBe(false);
          if (code === 'disconnected') {
            // Only a packet over the server's 64 KiB limit closes the connection; the session goes on.
            expect(Buffer.byteLength(`42${JSON.stringify(['chat:send', payload])}`)).toBeGreaterThan(64 * 1024);
            ({ socket, sessionId } = await sessionSocket(server.url, sessionId));
          }
        }),
        { seed: seed + 1, numRuns: 200, endOnFailure: true },
      );
      expect(codes.get('reply')).toBeGreaterThan(0);
      expect(codes.get('invalid_input')).toBeGreaterThan(0);
      const state = next(socket, 'session:state', forRequest('count'));
      socket.emit('session:resume', { requestId: 'count', sessionId });
      expect((await state).messages.filter((x) => x.role === 'user')).toHaveLength(accepted);
    } finally {
      socket.disconnect();
    }
  }, 300_000);
});
