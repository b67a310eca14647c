// TEST ONLY: starts a real server on port 0 with test models in a temporary directory, connects real
// socket.io clients, and tears everything down.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import { startServer, type RunningServer, type ServerOptions } from '../../../server/app.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../server/protocol.ts';
import { testFactory, writeTestModels } from '../../../testkit/test-model.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServer {
  server: RunningServer;
  url: string;
  dir: string;
  factory: ReturnType<typeof testFactory>;
  client(auth?: { sessionId?: string }): Promise<ClientSocket>;
  /** A connected client with a newly issued session, and that session's token. */
  sessionClient(): Promise<{ socket: ClientSocket; token: string }>;
  close(): Promise<void>;
}

export async function startTestServer(
  options: Partial<ServerOptions> & { tickMs?: number } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-server-'));
  writeTestModels(join(dir, 'models'));
  const factory = testFactory(options.tickMs ?? 2);
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    modelsDir: join(dir, 'models'),
    dbFile: join(dir, 'db.sqlite'),
    factory,
    logger: pino({ level: 'silent' }),
    ...options,
  });
  const clients: ClientSocket[] = [];
  const client = async (auth: { sessionId?: string } = {}): Promise<ClientSocket> => {
    const socket: ClientSocket = connect(server.url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
    clients.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };
  return {
    server,
    url: server.url,
    dir,
    factory,
    client,
    async sessionClient() {
      const socket = await client();
      return { socket, token: await newSession(socket) };
    },
    async close() {
      for (const c of clients) c.disconnect();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Args<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/** The next `event` whose payload satisfies `match`; rejects on a request:error for the same requestId. */
export function next<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
  match: (payload: Args<E>) => boolean = () => true,
): Promise<Args<E>> {
  return new Promise((resolve, reject) => {
    const s = socket as unknown as { on(e: string, f: (p: never) => void): void; off(e: string, f: (p: never) => void): void };
    const onEvent = (payload: Args<E>) => {
      if (!match(payload)) return;
      cleanup();
      resolve(payload);
    };
    const onError = (e: Args<'request:error'>) => {
      if (event === 'request:error') return;
      const rid = (match as unknown as { requestId?: string }).requestId;
      if (rid !== undefined && e.requestId !== rid) return;
      cleanup();
      reject(new Error(`${e.code}: ${e.message}`));
    };
    const cleanup = () => {
      s.off(event, onEvent as (p: never) => void);
      s.off('request:error', onError as (p: never) => void);
    };
    s.on(event, onEvent as (p: never) => void);
    if (event !== 'request:error') s.on('request:error', onError as (p: never) => void);
  });
}

let sessionRequests = 0;

/** Asks for a newly issued session on `socket` (session:resume without a token); resolves to its token. */
export async function newSession(socket: ClientSocket): Promise<string> {
  const requestId = `new-session-${++sessionRequests}`;
  const state = next(socket, 'session:state', forRequest(requestId));
  socket.emit('session:resume', { requestId });
  return (await state).sessionId;
}

/** A `match` for `next` that picks events of one request (and lets errors of other requests pass). */
export function forRequest(requestId: string) {
  return Object.assign((p: { requestId: string | null }) => p.requestId === requestId, { requestId });
}
