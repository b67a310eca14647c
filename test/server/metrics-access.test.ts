// Issue 11.6: /metrics was open to anyone. On the main port it now needs a bearer token; without
// one configured it is only served on a separate listener (metricsPort), bound to loopback.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/harness.ts';

const get = (port: number, path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.once('error', reject);
    req.end();
  });

describe('/metrics access', () => {
  it('is not served on the main port when no token is configured', async () => {
    const t = await startTestServer();
    try {
      const res = await get(t.server.port, '/metrics');
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('parley_requests_total');
      expect(t.server.metricsPort).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('takes the metrics token on the main port, and the admin token too', async () => {
    const t = await startTestServer({ metricsToken: 'scrape', adminToken: 'admin' });
    try {
      const port = t.server.port;
      expect((await get(port, '/metrics')).status).toBe(401);
      expect((await get(port, '/metrics', { authorization: 'Bearer scrape!' })).status).toBe(401);
      expect((await get(port, '/metrics', { authorization: 'scrape' })).status).toBe(401);
      const ok = await get(port, '/metrics', { authorization: 'Bearer scrape' });
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('parley_queue_depth');
      expect((await get(port, '/metrics', { authorization: 'Bearer admin' })).status).toBe(200);
      // The metrics token is no admin token.
      const reload = await fetch(new URL('/admin/reload', t.url), { method: 'POST', headers: { authorization: 'Bearer scrape' } });
      expect(reload.status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('serves only /metrics, without a token, on a separate loopback port that checks the Host', async () => {
    const t = await startTestServer({ metricsPort: 0 });
    try {
      const port = t.server.metricsPort!;
      expect(port).not.toBe(t.server.port);
      const res = await get(port, '/metrics');
      expect(res.status).toBe(200);
      expect(res.body).toContain('parley_requests_total');
      expect((await get(port, '/api/models')).status).toBe(404);
      expect((await get(port, '/metrics', { host: `evil.example:${port}` })).status).toBe(403);
      expect((await get(t.server.port, '/metrics')).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
