// Assembles the server: storage, models, services, HTTP and socket.io on one port; and its graceful
// shutdown (stop accepting, finish or cancel in-flight work, close sockets, models and the database).
import { createServer, type Server as HttpServer } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { Server } from 'socket.io';
import type { AppContext, ServerLimits } from './context.ts';
import { httpApp } from './http.ts';
import { createMetrics } from './metrics.ts';
import { startMetricsListener, type MetricsListener } from './metrics-http.ts';
import type { ClientToServerEvents, ServerToClientEvents } from './protocol.ts';
import { limits as schemaLimits } from './schemas.ts';
import { ChatService } from './service/chat.ts';
import { DEFAULT_MAX_REQUEST_COST } from './service/cost-budget.ts';
import { GenerationService } from './service/generation.ts';
import type { EngineFactory } from './service/model-backend.ts';
import { DEFAULTS_FILE, ModelLoader } from './service/model-loader.ts';
import { RateLimiter } from './service/rate-limit.ts';
import { SessionService } from './service/sessions.ts';
import { attachSocket, originCheck } from './socket.ts';
import { Storage } from '../storage/storage.ts';
import { trustedHosts } from './trusted-hosts.ts';
import { webAssets } from './web-assets.ts';

export interface ServerOptions {
  port: number;
  host?: string;
  modelsDir: string;
  dbFile: string;
  factory: EngineFactory;
  logger?: Logger;
  adminToken?: string | null;
  /** Origins (e.g. https://example.org) allowed besides the server's own; '*' allows any. */
  origins?: string[];
  /**
   * Host names the server answers to besides localhost, *.localhost and IP addresses (and `host` when it
   * is a name); ".example.org" includes subdomains, '*' turns the DNS-rebinding guard off.
   */
  trustedHosts?: string[];
  limits?: Partial<ServerLimits>;
  /**
   * Rows (beams, samples; 1 for greedy) decoding at once per model, default 64: the engine batches that
   * many (engine-factory.ts), so beyond it requests wait in the server's fair queue, not the engine's.
   */
  maxActiveRowsPerModel?: number;
  /**
   * The part of those rows one client address may hold, default 0.5, so a wide decode leaves room for
   * others. Behind a reverse proxy every client has the proxy's address: set 1 there.
   */
  clientRowShare?: number;
  maxQueuedPerModel?: number;
  timeLimitMs?: number;
  /**
   * Most work one request may ask for, in decoder row-steps: beam rows × max output tokens × (1 + source
   * tokens / 256), summed over its texts (server/service/cost-budget.ts); above it, 413. Default 50,000.
   */
  maxRequestCost?: number;
  /** Reload models when their files change. */
  watch?: boolean;
  /** How long shutdown waits for in-flight requests before cancelling them. */
  graceMs?: number;
  /** Bearer token for GET /metrics on the main port, besides the admin token; without either it is not served there. */
  metricsToken?: string | null;
  /** Serve GET /metrics, without a token, on this separate port (0 picks one); off by default. */
  metricsPort?: number | null;
  /** Address the metrics port binds (default 127.0.0.1: loopback only). */
  metricsHost?: string;
  /** Collect Node process metrics too. */
  processMetrics?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The separate metrics listener's port, when there is one. */
  metricsPort: number | null;
  ctx: AppContext;
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  close(): Promise<void>;
}

const version = '0.1.0';

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: 'info' });
  const metrics = createMetrics({ defaults: options.processMetrics });
  const limits: ServerLimits = {
    maxTextChars: schemaLimits.maxTextChars,
    maxBodyBytes: 64 * 1024,
    messagesPerMinutePerSession: 30,
    messagesPerMinutePerIp: 600,
    newSessionsPerMinutePerIp: 20,
    ...options.limits,
  };
  const trustedHost = trustedHosts([...(options.trustedHosts ?? []), ...(options.host && isIP(options.host) === 0 ? [options.host] : [])]);
  const storage = new Storage(options.dbFile);
  const loader = new ModelLoader({
    modelsDir: options.modelsDir,
    factory: options.factory,
    hooks: { observeBatchSize: (model, rows) => metrics.batchSize.observe({ model }, rows) },
    onError: (id, err) => logger.error({ err, model: id }, id === DEFAULTS_FILE ? 'defaults.json ignored' : 'model failed to load'),
    onLoaded: (m) => logger.info({ model: m.id, task: m.task, preset: m.preset, version: m.version }, 'model loaded'),
  });
  await loader.loadAll();
  if (options.watch) loader.watch();
  const generation = new GenerationService({
    loader,
    metrics,
    maxActiveRows: options.maxActiveRowsPerModel ?? 64,
    clientShare: options.clientRowShare ?? 0.5,
    maxQueued: options.maxQueuedPerModel ?? 256,
    timeLimitMs: options.timeLimitMs ?? 30_000,
    maxRequestCost: options.maxRequestCost ?? DEFAULT_MAX_REQUEST_COST,
  });
  const ctx: AppContext = {
    loader,
    generation,
    chat: new ChatService(storage, generation, schemaLimits.maxTurns),
    sessions: new SessionService(storage, new RateLimiter(limits.newSessionsPerMinutePerIp)),
    storage,
    metrics,
    logger,
    limits,
    perSession: new RateLimiter(limits.messagesPerMinutePerSession),
    perIp: new RateLimiter(limits.messagesPerMinutePerIp),
    trustedHost,
    adminToken: options.adminToken ?? null,
    metricsToken: options.metricsToken ?? null,
    version,
  };

  const http: HttpServer = createServer(httpApp(ctx, await webAssets()));
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, {
    maxHttpBufferSize: limits.maxBodyBytes,
    allowRequest: originCheck(options.origins ?? [], trustedHost),
    serveClient: true,
  });
  attachSocket(io, ctx);
  let metricsListener: MetricsListener | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
    });
    if (options.metricsPort !== undefined && options.metricsPort !== null) {
      metricsListener = await startMetricsListener({ port: options.metricsPort, host: options.metricsHost ?? '127.0.0.1', metrics, trustedHost });
    }
  } catch (error) {
    // Port taken or not allowed: close what is already open (models' decode workers keep a process alive).
    if (http.listening) await new Promise((resolve) => http.close(resolve));
    await loader.close();
    storage.close();
    throw error;
  }
  const port = (http.address() as AddressInfo).port;
  const url = `http://${options.host && options.host !== '0.0.0.0' ? options.host : 'localhost'}:${port}/`;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      logger.info('shutting down');
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      await generation.drain(options.graceMs ?? 5000);
      await io.close();
      http.closeAllConnections();
      await stopped;
      await metricsListener?.close();
      await loader.close();
      storage.close();
      logger.info('stopped');
    })());
  return { url, port, metricsPort: metricsListener?.port ?? null, ctx, io, close };
}
