// Issue 11 regressions: requests the server once answered with 500 — malformed percent-encodings in the
// path, bodies whose content-encoding lies — are the client's mistake and get a 4xx that says so.
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/harness.ts';

const postRoutes = ['/api/translate', '/api/parse', '/api/chat', '/translator/translate'];
const validBody = (route: string) => (route === '/translator/translate' ? [{ id: 0, src: 'a b' }] : { text: 'a b' });

describe('hostile HTTP requests', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  const errorMessage = async (res: Response): Promise<string> => {
    const body = (await res.json()) as { error: string | { message: string } };
    return typeof body.error === 'string' ? body.error : body.error.message;
  };

  it.each(['/api/models/%E0%A4%A', '/api/models/%', '/app/%E0%A4%A', '/api/models/%zz'])('answers GET %s with 400', async (path) => {
    const res = await fetch(new URL(path, t.url));
    expect(res.status).toBe(400);
    expect(await errorMessage(res)).toMatch(/percent-encoding/);
  });

  for (const route of postRoutes) {
    it.each(['gzip', 'deflate'])(`answers POST ${route} with a body that is not valid %s data with 400`, async (encoding) => {
      const res = await fetch(new URL(route, t.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body: '{"text":"a b"}',
      });
      expect(res.status).toBe(400);
      expect(await errorMessage(res)).toMatch(new RegExp(`not valid ${encoding} data`));
    });

    it(`still decodes a valid gzip and deflate body on ${route}, and refuses an unknown encoding with 415`, async () => {
      const json = JSON.stringify(validBody(route));
      for (const [encoding, data] of [['gzip', gzipSync(json)], ['deflate', deflateSync(json)]] as const) {
        const res = await fetch(new URL(route, t.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': encoding },
          body: new Uint8Array(data),
        });
        expect(res.status).toBe(200);
      }
      const res = await fetch(new URL(route, t.url), { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'br2' }, body: json });
      expect(res.status).toBe(415);
      expect(await errorMessage(res)).toMatch(/content-encoding "br2"/);
    });
  }

  it('refuses a gzip bomb by its inflated size', async () => {
    const res = await fetch(new URL('/api/translate', t.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: new Uint8Array(gzipSync(`{"text":"${'a'.repeat(8 * 1024 * 1024)}"}`)),
    });
    expect(res.status).toBe(413);
  });
});
