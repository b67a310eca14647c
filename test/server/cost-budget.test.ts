// Issue 11: one request must not occupy a model. Requests over the cost budget are refused before they
// are queued or stored; queued requests are started round-robin between client addresses; a request of
// n texts counts n against the address's rate.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_REQUEST_COST } from '../../server/service/cost-budget.ts';
import { next, forRequest, startTestServer, type TestServer } from './helpers/harness.ts';

/** POSTs JSON from a chosen loopback source address (all of 127/8 reaches a server on 127.0.0.1). */
function postFrom(localAddress: string, url: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const sentence = 'le chat noir dort sur le tapis rouge';

describe('cost budget and fair scheduling', () => {
  let t: TestServer;
  const post = (path: string, body: unknown) => postFrom('127.0.0.1', new URL(path, t.url).href, body);
  const model = () => t.factory.created.get('en-fr')!.at(-1)!;

  beforeAll(async () => {
    t = await startTestServer({ tickMs: 10, maxActiveRowsPerModel: 4 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses the issue\'s request (32 texts, beam 32, min and max length 512) with 413 naming cost and budget, without decoding', async () => {
    const started = model().stats.started;
    const res = await post('/api/translate', { texts: Array(32).fill(sentence), options: { beamSize: 32, minLength: 512, maxLength: 512 } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    // 32 texts × beam 32 × 512 steps × (1 + 8 words / 256).
    expect(res.body.error.message).toContain(
      `request costs ${32 * 32 * 512 * (1 + 8 / 256)} decoder row-steps (beam rows × max output tokens × (1 + source tokens / 256), summed over 32 texts), over the budget of ${DEFAULT_MAX_REQUEST_COST}`,
    );
    expect(model().stats.started).toBe(started);
  });

  it('lets normal requests through: README-like options, 32 short texts at the defaults, one text at beam 32', async () => {
    expect((await post('/api/translate', { text: 'où est la gare ?', options: { nBest: 3, beamSize: 5, returnNBest: true } })).status).toBe(200);
    expect((await post('/api/translate', { texts: Array(32).fill('le chat') })).status).toBe(200);
    expect((await post('/api/translate', { text: sentence, options: { beamSize: 32, maxLength: 512 } })).status).toBe(200);
    expect((await post('/api/parse', { text: 'We did not expect the results to be this good.', options: { strategy: 'beam', beamSize: 5 } })).status).toBe(200);
    expect((await post('/translator/translate', Array(32).fill({ id: 0, src: 'le chat', n_best: 5 }))).status).toBe(200);
  });

  it('plans each text once, and hands that plan to the model that decodes it', async () => {
    const m = model();
    const plan = vi.spyOn(m, 'plan');
    const generate = vi.spyOn(m, 'generate');
    try {
      const res = await post('/api/translate', { texts: ['le chat', 'le chien noir', 'la gare'], options: { strategy: 'greedy', maxLength: 8 } });
      expect(res.status).toBe(200);
      expect(plan).toHaveBeenCalledTimes(3);
      const plans = plan.mock.results.map((r) => r.value);
      // The very objects the cost check planned, each to the text it planned (the engine finds its encoding by them).
      expect(generate).toHaveBeenCalledTimes(3);
      generate.mock.calls.forEach(([request], i) => {
        expect(request.plan).toBe(plans[i]);
        expect(request.inputs).toEqual(plan.mock.calls[i]![0].inputs);
      });
    } finally {
      plan.mockRestore();
      generate.mockRestore();
    }
  });

  it('serves a normal client while a heavy client\'s texts wait in the queue', async () => {
    const before = model().stats.completed;
    // Greedy: one row each; the heavy client holds its share, two of the four rows.
    const heavy = postFrom('127.0.0.2', new URL('/api/translate', t.url).href, { texts: Array(24).fill('a b c d e'), options: { strategy: 'greedy' } });
    await expect.poll(() => model().stats.active, { interval: 2 }).toBe(2);
    const normal = await postFrom('127.0.0.3', new URL('/api/translate', t.url).href, { text: 'x y z', options: { strategy: 'greedy' } });
    expect(normal.status).toBe(200);
    expect(normal.body.translations[0].text).toBe('z y x');
    // It started at once beside the heavy texts; first come first served would have run all 24 first.
    const heavyDone = model().stats.completed - before;
    expect(heavyDone).toBeLessThan(4);
    expect((await heavy).status).toBe(200);
  });
});

describe('a configured budget and per-text rate charging', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ maxRequestCost: 1000, limits: { messagesPerMinutePerIp: 40 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a chat message over the budget before storing it', async () => {
    const { socket, token } = await t.sessionClient();
    const error = next(socket, 'request:error');
    // Beam 5 × 200 steps × (1 + 64 / 256) = 1250 > 1000.
    socket.emit('chat:send', { requestId: 'big', text: Array(64).fill('w').join(' '), options: { maxLength: 200 } });
    expect(await error).toMatchObject({ requestId: 'big', code: 'payload_too_large' });
    expect((await error).message).toContain('request costs 1250 decoder row-steps (beam rows × max output tokens × (1 + source tokens / 256)), over the budget of 1000');
    socket.emit('chat:send', { requestId: 'small', text: 'one two', options: { maxLength: 50 } });
    await next(socket, 'chat:reply', forRequest('small'));
    socket.emit('session:resume', { requestId: 'state', sessionId: token });
    const state = await next(socket, 'session:state', forRequest('state'));
    expect(state.messages.map((m) => m.text)).toEqual(['one two', 'two one']);
  });

  it('charges a request of 32 texts 32 requests of the address\'s rate', async () => {
    const post = (body: unknown) => postFrom('127.0.0.4', new URL('/api/translate', t.url).href, body);
    expect((await post({ texts: Array(32).fill('a'), options: { maxLength: 5 } })).status).toBe(200);
    const refused = await post({ texts: Array(9).fill('a'), options: { maxLength: 5 } });
    expect(refused.status).toBe(429);
    expect((await post({ texts: Array(7).fill('a'), options: { maxLength: 5 } })).status).toBe(200);
  });
});
