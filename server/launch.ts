// Parses the server's flags, starts it with a given engine factory, prints the chat URL, and shuts down
// gracefully on SIGINT/SIGTERM. server/main.ts calls it with the real engine.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startServer, type RunningServer, type ServerOptions } from './app.ts';
import { DEFAULT_MAX_REQUEST_COST } from './service/cost-budget.ts';
import type { EngineFactory } from './service/model-backend.ts';

const usage = `usage: npm start -- [options]
  --port N            port to listen on (default $PORT, else 8080; 0 picks a free one)
  --host H            address to bind (default 0.0.0.0)
  --models DIR        models directory, one sub-directory with config.json per model (default ./models)
  --db FILE           SQLite database (default ./data/parley.sqlite)
  --admin-token T     enables POST /admin/reload and GET /metrics with it (default: $PARLEY_ADMIN_TOKEN, else disabled)
  --metrics-token T   bearer token for GET /metrics on the main port (default: $PARLEY_METRICS_TOKEN)
  --metrics-port N    serve GET /metrics without a token on this port instead (0 picks one)
  --metrics-host H    address the metrics port binds (default 127.0.0.1)
  --origin URL        allow socket.io connections from this origin (repeatable)
  --trusted-host H    a name this server is reached by, besides localhost and IP addresses (repeatable;
                      .example.org includes subdomains; * turns the DNS-rebinding guard off)
  --time-limit-ms N   per-request time limit (default 30000)
  --max-queued N      requests waiting per model before "busy" (default 256)
  --max-request-cost N  most work one request may ask for, in decoder row-steps: beam rows x max
                      output tokens x (1 + source tokens / 256), summed over its texts
                      (default 50000); above it, 413
  --rate-per-session N  chat messages a minute per session (default 30)
  --rate-per-ip N     requests a minute per client address (default 600)
  --sessions-per-ip N new sessions a minute per client address (default 20)
  --no-watch          do not reload models when their files change
  --log-level L       pino level (default info)`;

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

function envPort(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT must be a port number, got "${value}"`);
  return n;
}

export async function launch(argv: string[], factory: EngineFactory): Promise<RunningServer | null> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        models: { type: 'string' },
        db: { type: 'string' },
        'admin-token': { type: 'string' },
        'metrics-token': { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        origin: { type: 'string', multiple: true },
        'trusted-host': { type: 'string', multiple: true },
        'time-limit-ms': { type: 'string' },
        'max-queued': { type: 'string' },
        'max-request-cost': { type: 'string' },
        'rate-per-session': { type: 'string' },
        'rate-per-ip': { type: 'string' },
        'sessions-per-ip': { type: 'string' },
        'no-watch': { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return null;
  }
  if (values.help) {
    console.log(usage);
    return null;
  }
  const logger = pino({ level: values['log-level'] ?? 'info' });
  let options: ServerOptions;
  try {
    options = {
      // The flag wins over PORT (as platforms that assign ports set it).
      port: values.port !== undefined ? positiveInt('port', values.port, 8080, 0) : envPort(process.env.PORT),
      host: values.host,
      modelsDir: values.models ?? './models',
      dbFile: values.db ?? './data/parley.sqlite',
      factory,
      logger,
      adminToken: values['admin-token'] ?? process.env.PARLEY_ADMIN_TOKEN ?? null,
      metricsToken: values['metrics-token'] ?? process.env.PARLEY_METRICS_TOKEN ?? null,
      metricsPort: values['metrics-port'] === undefined ? null : positiveInt('metrics-port', values['metrics-port'], 0, 0),
      metricsHost: values['metrics-host'] ?? '127.0.0.1',
      origins: values.origin ?? [],
      trustedHosts: values['trusted-host'] ?? [],
      timeLimitMs: positiveInt('time-limit-ms', values['time-limit-ms'], 30_000),
      maxQueuedPerModel: positiveInt('max-queued', values['max-queued'], 256, 0),
      maxRequestCost: positiveInt('max-request-cost', values['max-request-cost'], DEFAULT_MAX_REQUEST_COST),
      limits: {
        messagesPerMinutePerSession: positiveInt('rate-per-session', values['rate-per-session'], 30),
        messagesPerMinutePerIp: positiveInt('rate-per-ip', values['rate-per-ip'], 600),
        newSessionsPerMinutePerIp: positiveInt('sessions-per-ip', values['sessions-per-ip'], 20),
      },
      watch: !values['no-watch'],
      processMetrics: true,
    };
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return null;
  }
  let server: RunningServer;
  try {
    server = await startServer(options);
  } catch (error) {
    // Port in use, database unwritable: one line the user can act on, not a stack trace.
    logger.error({ err: error }, 'server failed to start');
    console.error(`parley server: ${(error as Error).message}`);
    process.exitCode = 1;
    return null;
  }
  const models = server.ctx.loader.list();
  logger.info({ models: models.map((m) => `${m.id} (${m.task})`) }, `${models.length} model(s) loaded`);
  console.log(`Parley chat: ${server.url}`);
  if (server.metricsPort !== null) console.log(`Parley metrics: http://${options.metricsHost}:${server.metricsPort}/metrics`);
  const stop = (signal: string) => {
    logger.info({ signal }, 'signal received');
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return server;
}
