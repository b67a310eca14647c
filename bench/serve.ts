// `npm run bench:serve`: N concurrent socket.io clients (1, 8, 32, 128) against a real server on
// loopback, each sending chat messages one after another; prints replies/s, latency percentiles and
// errors per level as JSON. Starts its own server (test models until the engine is wired in: pass
// --entry server/main.ts --models DIR for real ones) unless --url names a running one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/protocol.ts';
import { writeTestModels } from '../test/server/helpers/test-model.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    entry: { type: 'string', default: 'test/server/helpers/serve-test-model.ts' },
    models: { type: 'string' },
    levels: { type: 'string', default: '1,8,32,128' },
    messages: { type: 'string', default: '8' },
    'level-timeout-s': { type: 'string', default: '60' },
  },
});
const levels = values.levels.split(',').map(Number);
const messagesPerClient = Number(values.messages);
const levelTimeoutMs = Number(values['level-timeout-s']) * 1000;
const text = 'hello there how are you doing today my friend';

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const models = values.models ?? join(dir, 'models');
  if (!values.models) writeTestModels(models);
  const args = ['--import', 'tsx', values.entry, '--port', '0', '--host', '127.0.0.1', '--models', models, '--db', join(dir, 'db.sqlite'),
    '--no-watch', '--log-level', 'warn', '--rate-per-session', '100000', '--rate-per-ip', '100000', '--sessions-per-ip', '100000'];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Parley chat: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, stop: () => { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } };
}

async function runClient(url: string, id: string, latencies: number[], errors: Map<string, number>, deadline: number): Promise<void> {
  const socket: Client = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    // A session issued by the server (session:resume without a token).
    await new Promise<void>((resolve, reject) => {
      socket.once('session:state', () => resolve());
      socket.once('request:error', (e) => reject(new Error(e.message)));
      socket.emit('session:resume', { requestId: `${id}-session` });
    });
    for (let i = 0; i < messagesPerClient && Date.now() < deadline; i++) {
      const requestId = `${id}-${i}`;
      const started = performance.now();
      const outcome = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('client_timeout'), Math.max(1, deadline - Date.now()));
        socket.on('chat:reply', (r) => r.requestId === requestId && (clearTimeout(timer), resolve('ok')));
        socket.on('request:error', (e) => e.requestId === requestId && (clearTimeout(timer), resolve(e.code)));
        socket.emit('chat:send', { requestId, text, options: { strategy: 'greedy' } });
      });
      socket.off('chat:reply');
      socket.off('request:error');
      if (outcome === 'ok') latencies.push(performance.now() - started);
      else errors.set(outcome, (errors.get(outcome) ?? 0) + 1);
    }
  } catch {
    errors.set('connect', (errors.get('connect') ?? 0) + 1);
  } finally {
    socket.disconnect();
  }
}

const server = values.url ? { url: values.url, stop: () => undefined } : await startServer();
const results = [];
try {
  for (const clients of levels) {
    const latencies: number[] = [];
    const errors = new Map<string, number>();
    const started = performance.now();
    const deadline = Date.now() + levelTimeoutMs;
    await Promise.all(Array.from({ length: clients }, (_, c) => runClient(server.url, `bench-${clients}-${c}`, latencies, errors, deadline)));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
    results.push({
      clients,
      messagesPerClient,
      replies: latencies.length,
      seconds: round(seconds),
      repliesPerSecond: round(latencies.length / seconds),
      latencyMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)) },
      errors: Object.fromEntries(errors),
    });
  }
} finally {
  server.stop();
}
console.log(JSON.stringify({ bench: 'serve', server: values.url ?? values.entry, text, results }, null, 2));
