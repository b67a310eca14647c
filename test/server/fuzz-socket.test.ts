// Fuzzing socket.io (issue 11): a fixed-seed fast-check run of hostile events through socket.io-client
// and of hand-written polling packets. No request:error is a server fault (5xx-like code), polling POSTs
// are answered below 500, and afterwards /health is ok and a new client still chats.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forRequest, next, startTestServer, type ClientSocket, type TestServer } from './helpers/harness.ts';
import { hostileEmit, hostilePacket } from '../../testkit/hostile-socket.ts';
import { pollingClient, type PollingClient } from '../../testkit/polling.ts';

const seed = 20261203;
const serverFaults = new Set(['internal', 'timeout', 'shutting_down']);
const BARRIER = 'fuzz-barrier';

describe('socket.io fuzzing', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ tickMs: 1, limits: { messagesPerMinutePerIp: 1e9, messagesPerMinutePerSession: 1e9, newSessionsPerMinutePerIp: 1e9 } });
  });
  afterAll(async () => {
    await t.close();
  });

  const stillServes = async (): Promise<void> => {
    expect(await (await fetch(new URL('/health', t.url))).json()).toEqual({ status: 'ok' });
    const { socket } = await t.sessionClient();
    socket.emit('chat:send', { requestId: 'final', text: 'still here' });
    expect((await next(socket, 'chat:reply', forRequest('final'))).message.text).toBe('here still');
  };

  it('answers 500 hostile socket.io-client emits without a server fault', async () => {
    const codes = new Map<string, number>();
    let socket: ClientSocket | null = null;
    const connected = async (): Promise<ClientSocket> => {
      if (socket?.connected) return socket;
      // An issued session, so chat:send, feedback:send and reply:details reach their handlers.
      socket = (await t.sessionClient()).socket;
      socket.on('request:error', (e) => e.requestId !== BARRIER && codes.set(e.code, (codes.get(e.code) ?? 0) + 1));
      return socket;
    };
    await fc.assert(
      fc.asyncProperty(hostileEmit, async (e) => {
        const s = (await connected()) as unknown as { emit(name: unknown, ...args: unknown[]): void };
        try {
          s.emit(e.name, ...e.args, ...(e.ack ? [() => undefined] : []));
        } catch {
          // socket.io-client refuses reserved names itself; nothing was sent.
        }
        await new Promise((resolve) => setImmediate(resolve));
      }),
      { seed, numRuns: 500, endOnFailure: true },
    );
    // The server answers one connection's events in order: once the barrier's refusal is back, so is
    // every refusal of the emits before it.
    const last = await connected();
    const barrier = next(last, 'request:error', forRequest(BARRIER));
    (last as unknown as { emit(name: string, payload: unknown): void }).emit('chat:send', { requestId: BARRIER, text: 42 });
    expect((await barrier).code).toBe('invalid_input');
    expect(codes.get('invalid_input')).toBeGreaterThan(0);
    expect([...codes.keys()].filter((c) => serverFaults.has(c))).toEqual([]);
    await stillServes();
  }, 60_000);

  it('answers 500 raw polling packets below 500 and keeps serving', async () => {
    const statuses = new Map<number, number>();
    let client: PollingClient | null = null;
    await fc.assert(
      fc.asyncProperty(fc.array(hostilePacket, { minLength: 1, maxLength: 3 }), async (packets) => {
        client ??= await pollingClient(t.url);
        const res = await client.send(...packets);
        await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, packets.join(' | ').slice(0, 120)).toBeLessThan(500);
        // A packet the parser refuses closes the session; the next input opens a new one.
        if (res.status !== 200) client = null;
      }),
      { seed, numRuns: 500, endOnFailure: true },
    );
    expect(statuses.get(200)).toBeGreaterThan(0);
    await stillServes();
  }, 60_000);
});
