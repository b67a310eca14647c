// `npm run bench:serve`: N concurrent socket.io clients (1, 8, 32, 128, 500) against a real server on
// loopback, each sending chat messages one after another; prints per level: messages sent, accepted
// (chat:accepted), replied, refused or failed by code, lost (accepted, then neither reply nor error before
// the level's deadline), replies/s and latency percentiles, as JSON. Starts its own server (test models
// unless --entry server/main.ts --models DIR) unless --url names a running one; --server-args='--max-queued 512' adds flags.
import { parseArgs } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/protocol.ts';
import { startChildServer } from './child-server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    entry: { type: 'string', default: 'testkit/serve-test-model.ts' },
    models: { type: 'string' },
    levels: { type: 'string', default: '1,8,32,128,500' },
    messages: { type: 'string', default: '8' },
    'level-timeout-s': { type: 'string', default: '60' },
    'server-args': { type: 'string', default: '' },
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

interface Level {
  sent: number;
  accepted: number;
  lost: number;
  latencies: number[];
  errors: Map<string, number>;
}

async function runClient(url: string, id: string, level: Level, deadline: number): Promise<void> {
  const socket: Client = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  const count = (code: string) => level.errors.set(code, (level.errors.get(code) ?? 0) + 1);
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
      let accepted = false;
      level.sent++;
      const outcome = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('client_timeout'), Math.max(1, deadline - Date.now()));
        socket.on('chat:accepted', (a) => a.requestId === requestId && (accepted = true));
        socket.on('chat:reply', (r) => r.requestId === requestId && (clearTimeout(timer), resolve('ok')));
        socket.on('request:error', (e) => e.requestId === requestId && (clearTimeout(timer), resolve(e.code)));
        socket.emit('chat:send', { requestId, text, options: { strategy: 'greedy' } });
      });
      socket.off('chat:accepted');
      socket.off('chat:reply');
      socket.off('request:error');
      if (accepted) level.accepted++;
      if (outcome === 'ok') level.latencies.push(performance.now() - started);
      else if (outcome === 'client_timeout' && accepted) level.lost++;
      else count(outcome);
    }
  } catch {
    count('connect');
  } finally {
    socket.disconnect();
  }
}

const server = values.url
  ? { url: values.url, stop: () => undefined }
  : await startChildServer({
    entry: values.entry,
    models: values.models,
    args: ['--rate-per-session', '100000', '--rate-per-ip', '100000', '--sessions-per-ip', '100000', ...values['server-args'].split(' ').filter(Boolean)],
  });
const results = [];
try {
  for (const clients of levels) {
    const level: Level = { sent: 0, accepted: 0, lost: 0, latencies: [], errors: new Map() };
    const started = performance.now();
    const deadline = Date.now() + levelTimeoutMs;
    await Promise.all(Array.from({ length: clients }, (_, c) => runClient(server.url, `bench-${clients}-${c}`, level, deadline)));
    const seconds = (performance.now() - started) / 1000;
    const latencies = level.latencies.sort((a, b) => a - b);
    const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
    results.push({
      clients,
      messagesPerClient,
      sent: level.sent,
      accepted: level.accepted,
      replies: latencies.length,
      lost: level.lost,
      errors: Object.fromEntries(level.errors),
      seconds: round(seconds),
      repliesPerSecond: round(latencies.length / seconds),
      latencyMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)) },
    });
  }
} finally {
  server.stop();
}
console.log(JSON.stringify({ bench: 'serve', server: values.url ?? values.entry, text, results }, null, 2));
