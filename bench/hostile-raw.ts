// Malformed HTTP/1.1 on a raw TCP connection, for bench/hostile.ts: request lines, headers and framing
// that no HTTP client library would send (duplicate lengths, bad chunking, NULs, floods, HTTP/2 preface).
import fc from 'fast-check';
import { connect } from 'node:net';

const fixed = [
  'GET / HTTP/1.1\r\n\r\n',
  'GARBAGE\r\n\r\n',
  'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/models/% HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /api/translate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{"a":',
  'POST /api/translate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
  'POST /api/translate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'POST /api/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n',
  `GET / HTTP/1.1\r\nHost: x\r\n${'X-Flood: ' + 'a'.repeat(100) + '\r\n'}`.repeat(1) + `${'X-A: b\r\n'.repeat(3000)}\r\n`,
  `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET /\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'POST /api/translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}',
  'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
  'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: !!!\r\nSec-WebSocket-Version: 99\r\n\r\n',
];

const generated = fc
  .record({
    method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'M-SEARCH', 'CONNECT', ''), fc.string({ unit: 'binary-ascii', maxLength: 8 })),
    path: fc.oneof(fc.constantFrom('/', '/api/translate', '/health', '*', 'http://evil/'), fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s}`)),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/1.1 ', 'http/1.1', ''),
    headers: fc.array(fc.tuple(fc.string({ unit: 'binary-ascii', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 30 })), { maxLength: 4 }),
    body: fc.string({ unit: 'binary', maxLength: 60 }),
  })
  .map(({ method, path, version, headers, body }) =>
    `${method} ${path} ${version}\r\nHost: x\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

export function rawRequests(seed: number, count: number): string[] {
  return [...fixed, ...fc.sample(generated, { seed, numRuns: Math.max(0, count - fixed.length) })];
}

/** Writes `text` on a new connection; the status of the first response line, or 'no answer' when it closes. */
export function sendRaw(port: number, text: string, timeoutMs = 3000): Promise<number | 'no answer'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      resolve(m ? Number(m[1]) : 'no answer');
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (/\r\n\r\n/.test(got)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    // No half-close: Node's server drops a half-closed connection whose answer is not yet written.
    socket.write(Buffer.from(text, 'utf8'));
  });
}
