// `npm run bench:hostile`: over 10,000 hostile inputs against a server in a child process (test models):
// HTTP requests (testkit/hostile-http.ts), API bodies with hostile decoding options (hostile-options.ts),
// malformed HTTP on raw TCP (bench/hostile-raw.ts), socket.io-client emits of every name and payload,
// and raw polling packets (hostile-socket.ts). Prints
// JSON: inputs per kind, answers by status, the 5xx count, socket errors that are server faults, and
// whether the process is still up and healthy. Fixed seed; --seed and --scale change the run; --entry
// server/main.ts --models models runs it against the real engine; --option-models against the real
// engine on tiny models with a backward model and a retrieval index, one without them and one without
// attention (testkit/option-models.ts), so that the decoding options reach every check; --max-request-cost
// sets the child's budget.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import { initBackend } from '../engine/index.ts';
import { hostileRequest, send } from '../testkit/hostile-http.ts';
import { hostileOptions, optionsJson } from '../testkit/hostile-options.ts';
import { hostileEmit, hostilePacket } from '../testkit/hostile-socket.ts';
import { writeOptionModels } from '../testkit/option-models.ts';
import { pollingClient, type PollingClient } from '../testkit/polling.ts';
import { startChildServer } from './child-server.ts';
import { rawRequests, sendRaw } from './hostile-raw.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '20261203' },
    scale: { type: 'string', default: '1' },
    // The real engine: --entry server/main.ts --models models (HTTP model ids then mostly miss: 404s).
    entry: { type: 'string' },
    models: { type: 'string' },
    'option-models': { type: 'boolean', default: false },
    'max-request-cost': { type: 'string' },
  },
});
const seed = Number(values.seed);
const scale = Number(values.scale);
const counts = { http: 6000 * scale, options: 2000 * scale, raw: 500 * scale, emits: 2500 * scale, pollingBatches: 1200 * scale };
const serverFaults = new Set(['internal', 'timeout', 'shutting_down']);

const tally = () => new Map<string, number>();
const bump = (m: Map<string, number>, key: unknown) => m.set(String(key), (m.get(String(key)) ?? 0) + 1);
const is5xx = (status: unknown) => typeof status === 'number' && status >= 500;

/** Runs `fn` over `items` with at most `width` in flight. */
async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

let models = values.models;
let entry = values.entry;
if (values['option-models']) {
  models = mkdtempSync(join(tmpdir(), 'parley-hostile-models-'));
  await initBackend({ backend: 'wasm', quiet: true });
  await writeOptionModels(models);
  entry ??= 'server/main.ts';
}
const budget = values['max-request-cost'] === undefined ? [] : ['--max-request-cost', values['max-request-cost']];
const server = await startChildServer({ entry, models, args: ['--admin-token', 'sesame', '--rate-per-ip', '1000000000', '--rate-per-session', '1000000000', '--sessions-per-ip', '1000000000', ...budget] });
const port = Number(new URL(server.url).port);
const started = performance.now();
const report: Record<string, unknown> = { bench: 'hostile', seed, models: values['option-models'] ? 'option-models' : models ?? 'test models', budget: values['max-request-cost'] ?? 'default' };
try {
  const http = tally();
  await pool(fc.sample(hostileRequest, { seed, numRuns: counts.http }), 16, async (r) => {
    const status = await send(server.url, r);
    // A connection closed without an answer: the server refused a body before reading all of it.
    bump(http, typeof status === 'number' ? status : `${status} (body ${(r.body?.length ?? 0) > 32 * 1024 ? 'over' : 'within'} 32 KiB)`);
  });

  // Well-formed chat, translate and parse bodies whose decoding options are hostile (hostile-options.ts).
  const options = tally();
  const optionBodies = fc.sample(fc.tuple(fc.constantFrom('/api/chat', '/api/chat', '/api/translate', '/api/parse'), fc.constantFrom(undefined, 'chat', 'plain', 'global', 'chat-small', 'en-fr'), hostileOptions), { seed, numRuns: counts.options });
  await pool(optionBodies, 16, async ([route, model, o]) => {
    const body = Buffer.from(optionsJson({ ...(model === undefined ? {} : { model }), text: 'the teal one', options: o }));
    bump(options, await send(server.url, { method: 'POST', path: route, headers: { 'content-type': 'application/json' }, body }));
  });

  const raw = tally();
  await pool(rawRequests(seed, counts.raw), 16, async (text) => void bump(raw, await sendRaw(port, text)));

  const socketErrors = tally();
  let disconnects = 0;
  const emits = fc.sample(hostileEmit, { seed, numRuns: counts.emits });
  await pool(Array.from({ length: 8 }, (_, c) => emits.filter((_, i) => i % 8 === c)), 8, async (mine) => {
    let socket: Socket | null = null;
    for (const e of mine) {
      if (!socket?.connected) {
        socket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
        await new Promise<void>((resolve) => (socket!.once('connect', () => resolve()), socket!.once('connect_error', () => resolve())));
        // An issued session, so chat:send, feedback:send and reply:details reach their handlers.
        if (socket.connected) {
          await new Promise<void>((resolve) => {
            socket!.once('session:state', () => resolve());
            socket!.once('request:error', () => resolve());
            socket!.emit('session:resume', { requestId: 'bench-session' });
          });
        }
        socket.on('request:error', (err: { code: string }) => bump(socketErrors, err.code));
        socket.on('disconnect', () => disconnects++);
      }
      try {
        (socket as unknown as { emit(n: unknown, ...a: unknown[]): void }).emit(e.name, ...e.args, ...(e.ack ? [() => undefined] : []));
      } catch {
        // socket.io-client refuses reserved names itself.
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket?.disconnect();
  });

  const polling = tally();
  let packets = 0;
  const batches = fc.sample(fc.array(hostilePacket, { minLength: 1, maxLength: 3 }), { seed, numRuns: counts.pollingBatches });
  await pool(Array.from({ length: 4 }, (_, c) => batches.filter((_, i) => i % 4 === c)), 4, async (mine) => {
    let client: PollingClient | null = null;
    for (const batch of mine) {
      client ??= await pollingClient(server.url);
      const res = await client.send(...batch);
      await res.text();
      packets += batch.length;
      bump(polling, res.status);
      if (res.status !== 200) client = null;
    }
  });

  const health = await fetch(new URL('/health', server.url)).then((r) => r.json()).catch((e: Error) => e.message);
  const fiveXX = (m: Map<string, number>) => [...m].filter(([k]) => is5xx(Number(k))).reduce((a, [, n]) => a + n, 0);
  const inputs = { http: counts.http, optionBodies: counts.options, rawTcp: rawRequests(seed, counts.raw).length, socketEmits: emits.length, pollingPackets: packets };
  Object.assign(report, {
    inputs: { ...inputs, total: Object.values(inputs).reduce((a, b) => a + b, 0) },
    fiveXX: { http: fiveXX(http), optionBodies: fiveXX(options), rawTcp: fiveXX(raw), polling: fiveXX(polling) },
    socketServerFaults: [...socketErrors].filter(([code]) => serverFaults.has(code)).reduce((a, [, n]) => a + n, 0),
    statuses: { http: Object.fromEntries(http), optionBodies: Object.fromEntries(options), rawTcp: Object.fromEntries(raw), polling: Object.fromEntries(polling) },
    socketErrorCodes: Object.fromEntries(socketErrors),
    serverClosedSockets: disconnects,
    processExited: server.exited(),
    health,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  });
} finally {
  server.stop();
  if (values['option-models'] && models) rmSync(models, { recursive: true, force: true });
}
console.log(JSON.stringify(report, null, 2));
