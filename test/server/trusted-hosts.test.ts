// Issue 11.6, DNS rebinding: the origin check compared Origin with Host only, so a page on a rebound
// name (Origin http://evil.example:PORT, Host evil.example:PORT) passed. Both HTTP and socket.io now
// refuse a Host the server does not answer to.
import { request } from 'node:http';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostnameOf, trustedHosts } from '../../server/trusted-hosts.ts';
import { startTestServer, type TestServer } from './helpers/harness.ts';

describe('trustedHosts', () => {
  const check = trustedHosts(['chat.example', '.corp.example']);

  it('trusts localhost, IP addresses and the configured names, at any port', () => {
    for (const host of ['localhost:8080', 'LOCALHOST', 'app.localhost:3000', '127.0.0.1:8080', '[::1]:8080', '192.168.1.5', 'chat.example:443', 'corp.example', 'a.corp.example']) {
      expect(check(host), host).toBe(true);
    }
  });

  it('refuses other names, look-alikes and malformed Host headers', () => {
    for (const host of ['evil.example:8080', 'chat.example.evil.example', 'notcorp.example', 'localhost.evil.example', '127.0.0.1.nip.io', 'x@127.0.0.1', 'a b', '', undefined, '[evil]:80', 'x'.repeat(300)]) {
      expect(check(host), String(host)).toBe(false);
    }
    expect(hostnameOf('[::1]:80')).toBe('::1');
  });

  it('"*" trusts every host', () => {
    expect(trustedHosts(['*'])('evil.example')).toBe(true);
  });
});

describe('a forged Origin and Host pair', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    t = await startTestServer({ trustedHosts: ['chat.example'] });
    port = t.server.port;
  });
  afterAll(async () => {
    await t.close();
  });

  const httpStatus = (path: string, host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.once('error', reject);
      req.end();
    });

  const socketConnects = (headers: Record<string, string>) =>
    new Promise<boolean>((resolve) => {
      const s = connect(t.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers });
      s.once('connect', () => (s.disconnect(), resolve(true)));
      s.once('connect_error', () => (s.disconnect(), resolve(false)));
    });

  it('is refused over socket.io, while the trusted name and localhost connect', async () => {
    expect(await socketConnects({ origin: `http://evil.example:${port}`, host: `evil.example:${port}` })).toBe(false);
    expect(await socketConnects({ host: `evil.example:${port}` })).toBe(false);
    expect(await socketConnects({ origin: `http://chat.example:${port}`, host: `chat.example:${port}` })).toBe(true);
    expect(await socketConnects({ origin: `http://localhost:${port}`, host: `localhost:${port}` })).toBe(true);
    // A trusted Host does not let a foreign Origin in.
    expect(await socketConnects({ origin: 'http://evil.example', host: `localhost:${port}` })).toBe(false);
  });

  it('is refused over HTTP with 403, and the server keeps serving', async () => {
    const refused = await httpStatus('/api/models', `evil.example:${port}`);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'forbidden', message: expect.stringMatching(/Host/) } });
    expect((await httpStatus('/', `evil.example:${port}`)).status).toBe(403);
    expect((await httpStatus('/api/models', `chat.example:${port}`)).status).toBe(200);
    expect((await httpStatus('/health', `[::1]:${port}`)).status).toBe(200);
  });
});
