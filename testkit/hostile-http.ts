// Tests and benchmarks only: hostile HTTP requests as fast-check arbitraries — every route and then some,
// malformed percent-encodings, wrong content-types and charsets, lying content-encodings, bodies of every
// JSON type, schema-shaped bodies with hostile fields and decoding options (hostile-options.ts), invalid UTF-8, huge and deeply nested bodies — and
// a sender that reports the status (node:http, which lets any header and method through).
import fc from 'fast-check';
import { request } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { hostileOptions, optionsJson } from './hostile-options.ts';
import { anyJson, deepJsonText, hostileString } from './hostile-text.ts';

export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

const routes = [
  '/api/translate', '/api/parse', '/api/chat', '/translator/translate', '/admin/reload',
  '/health', '/metrics', '/openapi.json', '/api/models', '/api/models/en-fr', '/translator/models',
  '/', '/index.html', '/app/chat.js', '/style.css', '/socket.io/?EIO=4&transport=polling', '/socket.io/?EIO=3&transport=websocket',
];
const postRoutes = ['/api/translate', '/api/parse', '/api/chat', '/translator/translate', '/admin/reload'];
const badPercent = ['%', '%E0%A4%A', '%zz', '%C0%AF', '%FF%FE', '%00', '%%', '%u0041', '%2e%2e%2f%2e%2e', '..%2f..%2fpackage.json', '%F0%9F%98'];

/** Every byte of `s` as %XX, so the client accepts the path whatever `s` holds. */
const encodeAll = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const path = fc.oneof(
  fc.constantFrom(...routes),
  fc.tuple(fc.constantFrom(...routes), fc.constantFrom(...badPercent)).map(([r, p]) => `${r.split('?')[0]!.replace(/\/$/, '')}/${p}`),
  fc.tuple(fc.constantFrom('/api/models/', '/app/', '/', '/translator/'), hostileString).map(([r, s]) => r + encodeAll(s.slice(0, 200))),
  fc.tuple(fc.constantFrom(...routes), hostileString, fc.constantFrom(...badPercent)).map(([r, s, p]) => `${r.split('?')[0]}?q=${encodeAll(s.slice(0, 200))}&${p}`),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => `/api/models/${'a'.repeat(n)}`),
);

const contentType = fc.constantFrom(
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16',
  'application/json; charset="', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/*+json', 'garbage/;;;', '',
);
const contentEncoding = fc.constantFrom(null, null, 'gzip', 'deflate', 'br', 'identity', 'zstd', 'x-gzip', 'gzip, deflate', 'GZIP', 'compress', '');

/** Model ids of the test models (testkit/test-model.ts) and of the option models (testkit/option-models.ts). */
const modelId = fc.constantFrom('chat-small', 'en-fr', 'parser', 'chat', 'plain', 'global');

/** Bodies shaped like the API's, each field possibly hostile. */
const shapedBody = fc.oneof(
  fc.record({ text: hostileString, options: hostileOptions }, { requiredKeys: ['text'] }),
  fc.record({ text: fc.constantFrom('the teal one', 'le chat', 'hello there'), model: modelId, options: hostileOptions }, { requiredKeys: ['text'] }),
  fc.record({ texts: fc.array(fc.constantFrom('le chat', 'the red one'), { minLength: 1, maxLength: 3 }), model: modelId, options: hostileOptions }),
  fc.record({ texts: fc.array(hostileString, { maxLength: 40 }), model: fc.oneof(hostileString, fc.constant('en-fr')) }),
  fc.record({ text: hostileString, sessionId: fc.oneof(hostileString, fc.uuid()), model: hostileString }, { requiredKeys: ['text'] }),
  fc.array(fc.record({ id: fc.oneof(fc.integer({ min: -1, max: 3 }), hostileString), src: hostileString, n_best: anyJson, align: anyJson }), { maxLength: 40 }),
  fc.record({ models: anyJson, force: anyJson }),
);

const bodyText: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  shapedBody.map(optionsJson),
  anyJson.map((v) => JSON.stringify(v) ?? 'undefined'),
  deepJsonText,
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom('', '{', '{"text":', 'null', '"\\ud800"', '{"text":"\\u0000"}', '{"__proto__":{"polluted":1},"text":"a"}', '\xff\xfe{"text":"a"}'),
  fc.integer({ min: 65_000, max: 200_000 }).map((n) => `{"text":"${'a'.repeat(n)}"}`),
);

function encode(body: string | Uint8Array, encoding: string | null, honest: boolean): Uint8Array {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  if (!honest || encoding === null) return bytes;
  if (encoding === 'gzip') return gzipSync(bytes);
  if (encoding === 'deflate') return deflateSync(bytes);
  if (encoding === 'br') return brotliCompressSync(bytes);
  return bytes;
}

export const hostileRequest: fc.Arbitrary<HostileRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
    path: fc.oneof(path, fc.constantFrom(...postRoutes)),
    contentType,
    encoding: contentEncoding,
    honest: fc.boolean(),
    body: bodyText,
    auth: fc.constantFrom(null, 'Bearer ', 'Bearer wrong', 'Basic x', 'Bearer ' + 'x'.repeat(4000)),
    // Mostly the server's own address; sometimes a Host it does not answer to (403, trusted-hosts.ts).
    host: fc.oneof(
      { weight: 9, arbitrary: fc.constant(null) },
      fc.constantFrom('evil.example', 'evil.example:80', 'localhost.evil.example', '', '127.0.0.1.nip.io', 'LOCALHOST', '[::1]', `${'a'.repeat(300)}.localhost`),
    ),
  })
  .map(({ method, path, contentType, encoding, honest, body, auth, host }) => {
    const headers: Record<string, string> = {};
    if (host !== null) headers.host = host;
    if (contentType) headers['content-type'] = contentType;
    if (encoding !== null) headers['content-encoding'] = encoding;
    if (auth !== null) headers.authorization = auth;
    const hasBody = method !== 'GET' && method !== 'HEAD';
    return { method, path, headers, body: hasBody ? encode(body, encoding, honest) : null };
  });


/**
 * Sends `r` and resolves with the status, or with the error code when the connection ends without an
 * answer (the server may close on a body it refuses before reading it all; callers then check /health).
 */
export function send(baseUrl: string, r: HostileRequest): Promise<number | string> {
  return new Promise((resolve) => {
    const url = new URL(baseUrl);
    // A connection per request: a server that closes one on a refused body must not fail the next request.
    const req = request({ host: url.hostname, port: url.port, agent: false, method: r.method, path: r.path, headers: r.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    req.end(r.body ?? undefined);
  });
}
