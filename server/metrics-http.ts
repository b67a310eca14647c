// Where /metrics is served, since the figures (routes, models, queue depths, process details) are not
// for the world: on the main port only with a bearer token (the metrics token or the admin token), and
// without one on a separate listener (--metrics-port) bound to loopback by default, for a scraper on
// the same host or a private network. Both refuse an untrusted Host (DNS rebinding reaches loopback too).
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.ts';
import { ServiceError } from './service/errors.ts';
import type { HostCheck } from './trusted-hosts.ts';

export function tokenMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Throws unless `authorization` carries one of `tokens`; not_found when no token is configured. */
export function requireBearer(authorization: string | undefined, tokens: (string | null)[], what: string): void {
  const accepted = tokens.filter((t): t is string => t !== null && t !== '');
  if (accepted.length === 0) throw new ServiceError('not_found', `${what} are disabled here (no token configured)`);
  const auth = authorization ?? '';
  const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  // Every token is compared, so the time taken does not say which one nearly matched.
  const matched = accepted.map((t) => given !== '' && tokenMatches(given, t)).includes(true);
  if (!matched) throw new ServiceError('unauthorized', 'missing or wrong bearer token');
}

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/** A listener that serves GET /metrics and nothing else. */
export async function startMetricsListener(o: { port: number; host: string; metrics: Metrics; trustedHost: HostCheck }): Promise<MetricsListener> {
  const server: HttpServer = createServer((req, res) => {
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff' });
      res.end(body);
    };
    if (!o.trustedHost(req.headers.host)) return reply(403, 'this server does not answer to that Host\n');
    if (req.url?.split('?')[0] !== '/metrics') return reply(404, 'only /metrics is served here\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'GET /metrics\n');
    o.metrics.registry.metrics().then(
      (text) => reply(200, text, o.metrics.registry.contentType),
      () => reply(500, 'metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  };
}
