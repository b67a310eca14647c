// Fuzzing the HTTP API (issue 11): a fixed-seed fast-check run of hostile requests — every route, odd
// paths, headers, content-types, encodings and bodies. Every answer is 2xx or 4xx and /health stays ok.
// The bigger run (over 10,000 inputs, a child-process server) is `npm run bench:hostile`.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/harness.ts';
import { hostileRequest, send } from '../../testkit/hostile-http.ts';

const seed = 20261203;

describe('HTTP fuzzing', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ tickMs: 1, adminToken: 'sesame', limits: { messagesPerMinutePerIp: 1e9, messagesPerMinutePerSession: 1e9, newSessionsPerMinutePerIp: 1e9 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 1000 hostile requests with 2xx or 4xx and stays healthy', async () => {
    const statuses = new Map<number | string, number>();
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (r) => {
        const status = await send(t.url, r);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (typeof status === 'number') {
          expect(status >= 200 && status < 300 || status >= 400 && status < 500, `${r.method} ${r.path.slice(0, 80)} -> ${status}`).toBe(true);
        }
      }),
      { seed, numRuns: 1000, endOnFailure: true },
    );
    // The fuzz reached past the edge: some requests decoded, some were refused.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    // Some carried a Host the server does not answer to, refused before any route.
    expect(statuses.get(403)).toBeGreaterThan(0);
    expect(await (await fetch(new URL('/health', t.url))).json()).toEqual({ status: 'ok' });
  }, 60_000);
});
