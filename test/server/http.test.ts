import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/harness.ts';

describe('HTTP API', () => {
  let t: TestServer;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(new URL(path, t.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body),
    });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, t.url), { headers });

  beforeAll(async () => {
    t = await startTestServer({ adminToken: 'sesame' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports health and security headers', async () => {
    const res = await get('/health');
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });

  it('lists the loaded models with task, preset and size', async () => {
    const { models } = (await (await get('/api/models')).json()) as { models: { id: string; task: string; bytes: number }[] };
    expect(models.map((m) => [m.id, m.task])).toEqual([
      ['chat-small', 'chat'],
      ['en-fr', 'translate'],
      ['parser', 'parse'],
    ]);
    expect(models.every((m) => m.bytes > 0)).toBe(true);
  });

  it('serves a model card and its training curve points', async () => {
    const details = (await (await get('/api/models/en-fr')).json()) as { card: string; training: { step: number; valid?: object }[] };
    expect(details.card).toContain('# en-fr');
    expect(details.training.filter((p) => p.valid)).toHaveLength(2);
    expect(details.training[0]!.step).toBe(100);
    const missing = await get('/api/models/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('translates one text or several, with n-best and attention when asked', async () => {
    const one = await post('/api/translate', { text: 'le chat noir' });
    expect(one.status).toBe(200);
    const body = (await one.json()) as { model: string; translations: { text: string; attention?: unknown }[] };
    expect(body.model).toBe('en-fr');
    expect(body.translations[0]!.text).toBe('noir chat le');
    expect(body.translations[0]!.attention).toBeUndefined();

    const many = (await (await post('/api/translate', { texts: ['a b', 'c d e'], options: { nBest: 2, beamSize: 2, returnAttention: true } })).json()) as {
      translations: { text: string; nBest: { text: string }[]; attention: number[][]; srcTokens: string[] }[];
    };
    expect(many.translations.map((x) => x.text)).toEqual(['b a', 'e d c']);
    expect(many.translations[1]!.nBest).toHaveLength(2);
    expect(many.translations[1]!.attention).toHaveLength(3);
    expect(many.translations[1]!.srcTokens).toEqual(['c', 'd', 'e']);
  });

  it('parses a sentence to a bracketed tree', async () => {
    const res = (await (await post('/api/parse', { text: 'dogs bark' })).json()) as { tree: string; repaired: boolean; score: number };
    expect(res).toMatchObject({ tree: '(S (W dogs) (W bark))', repaired: false });
    expect(typeof res.score).toBe('number');
  });

  it('chats over plain HTTP and keeps the session', async () => {
    const first = (await (await post('/api/chat', { text: 'good morning' })).json()) as { sessionId: string; conversationId: number; message: { text: string } };
    expect(first.message.text).toBe('morning good');
    const second = (await (await post('/api/chat', { text: 'and you', sessionId: first.sessionId })).json()) as { conversationId: number };
    expect(second.conversationId).toBe(first.conversationId);
    expect(t.factory.created.get('chat-small')!.at(-1)!.stats.lastInputs).toEqual(['good morning', 'morning good', 'and you']);
  });

  it('refuses bad requests with a 4xx and a reason', async () => {
    const cases: [string, unknown, number, RegExp][] = [
      ['/api/translate', { text: 'a', texts: ['b'] }, 400, /exactly one/],
      ['/api/translate', {}, 400, /exactly one/],
      ['/api/translate', { text: 'a', options: { beamSize: 0 } }, 400, /options.beamSize/],
      ['/api/translate', { text: 'a', options: { sampling: true } }, 400, /sampling/],
      ['/api/translate', { text: 'a', model: 'parser' }, 400, /parse model/],
      ['/api/translate', { text: 'a', model: 'missing' }, 404, /not loaded/],
      ['/api/translate', { text: 'a b', options: { nBest: 3, beamSize: 2 } }, 400, /nBest/],
      ['/api/translate', { text: '\u0000\u0001  ' }, 400, /empty/],
      ['/api/parse', { text: 'x'.repeat(3000) }, 400, /longer than/],
      ['/api/chat', { text: 'hi', extra: 1 }, 400, /extra/],
      ['/api/chat', '{"text": ', 400, /not valid JSON/],
      ['/api/chat', JSON.stringify({ text: 'x'.repeat(100_000) }), 413, /too large/],
    ];
    for (const [path, body, status, reason] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body).slice(0, 60)}`).toBe(status);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.message).toMatch(reason);
    }
    const badUtf8 = await post('/api/parse', Buffer.concat([Buffer.from('{"text":"a'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
    expect(badUtf8.status).toBe(400);
    expect(((await badUtf8.json()) as { error: { message: string } }).error.message).toMatch(/UTF-8/);
    expect((await get('/no/such/route')).status).toBe(404);
    expect((await get('/health')).status).toBe(200);
  });

  it('speaks the OpenNMT-py REST format', async () => {
    const models = (await (await get('/translator/models')).json()) as { model_id: number; name: string }[];
    expect(models).toEqual([expect.objectContaining({ model_id: 0, name: 'en-fr', loaded: true })]);

    const res = await post('/translator/translate', [
      { id: 0, src: 'hello world' },
      { id: 'en-fr', src: 'a b c' },
    ]);
    expect(await res.json()).toEqual([
      [
        { src: 'hello world', tgt: 'world hello', n_best: 1, pred_score: -1 },
        { src: 'a b c', tgt: 'c b a', n_best: 1, pred_score: -1.5 },
      ],
    ]);

    const ranked = (await (await post('/translator/translate', [{ id: 0, src: 'x y z', n_best: 2, align: true }])).json()) as {
      tgt: string;
      n_best: number;
      align?: string[];
    }[][];
    expect(ranked).toHaveLength(2);
    expect(ranked.map((rank) => rank[0]!.tgt)).toEqual(['z y x', 'z y x !']);
    expect(ranked[0]![0]!.align).toEqual(['2-0 1-1 0-2']);
    expect(ranked[1]![0]!.align).toBeUndefined();

    for (const [body, status] of [
      [[{ id: 7, src: 'a' }], 404],
      [[{ src: 'a' }], 400],
      [{ id: 0, src: 'a' }, 400],
      [[{ id: 0, src: 'a', n_best: 1 }, { id: 0, src: 'b', n_best: 2 }], 400],
      ['[{', 400],
    ] as [unknown, number][]) {
      const r = await post('/translator/translate', body);
      expect(r.status).toBe(status);
      expect(await r.json()).toEqual({ status: 'error', error: expect.any(String) });
    }
  });

  it('describes itself in OpenAPI with schemas from the validators', async () => {
    const doc = (await (await get('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties: Record<string, { $ref?: string }>; additionalProperties: boolean }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/health', '/api/models', '/api/translate', '/api/parse', '/api/chat', '/translator/translate', '/translator/models', '/admin/reload']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    // Every refusal a hostile client can meet: untrusted Host, unknown session, over budget, odd encoding.
    expect(Object.keys(doc.paths['/api/chat']!.post!.responses)).toEqual(expect.arrayContaining(['400', '403', '404', '413', '415', '429', '503']));
    const ref = doc.paths['/api/chat']!.post!.requestBody!.content['application/json']!.schema.$ref;
    expect(ref).toBe('#/components/schemas/ChatRequest');
    const chat = doc.components.schemas.ChatRequest!;
    expect(Object.keys(chat.properties)).toEqual(['sessionId', 'text', 'model', 'options']);
    expect(chat.additionalProperties).toBe(false);
    expect(chat.properties.options!.$ref).toBe('#/components/schemas/DecodingOptions');
    expect(Object.keys(doc.components.schemas.DecodingOptions!.properties)).toContain('noRepeatNgram');
  });

  it('exports Prometheus metrics', async () => {
    await post('/api/translate', { text: 'count me' });
    // Not for the world: only with a bearer token (here the admin token).
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { authorization: 'Bearer wrong' })).status).toBe(401);
    const metrics = () => get('/metrics', { authorization: 'Bearer sesame' });
    const text = await (await metrics()).text();
    expect(text).toMatch(/parley_requests_total\{route="POST \/api\/translate",outcome="ok"\} \d+/);
    const before = /parley_requests_total\{route="POST \/api\/parse",outcome="not_found"\} (\d+)/.exec(text)?.[1] ?? '0';
    await post('/api/parse', { text: 'x', model: 'absent' });
    const after = await (await metrics()).text();
    expect(after).toContain(`parley_requests_total{route="POST /api/parse",outcome="not_found"} ${Number(before) + 1}`);
    expect(text).toContain('parley_request_duration_seconds_bucket');
    expect(text).toMatch(/parley_batch_size_count\{model="en-fr"\} [1-9]/);
    expect(text).toMatch(/parley_generated_tokens_total\{model="en-fr"\} [1-9]/);
    expect(text).toContain('parley_queue_depth');
  });

  it('reloads a changed model behind the admin token, keeping requests in flight', async () => {
    expect((await post('/admin/reload', {})).status).toBe(401);
    expect((await post('/admin/reload', {}, { authorization: 'Bearer wrong' })).status).toBe(401);
    const before = (await (await get('/api/models/parser')).json()) as { version: string };
    const old = t.factory.created.get('parser')!.at(-1)!;
    const inFlight = post('/api/parse', { text: Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ') });
    await expect.poll(() => old.stats.active).toBe(1);
    appendFileSync(join(t.dir, 'models', 'parser', 'card.md'), '\nRetrained.\n');
    const res = await post('/admin/reload', {}, { authorization: 'Bearer sesame' });
    expect(((await res.json()) as { reloaded: string[] }).reloaded).toEqual(['parser']);
    const after = (await (await get('/api/models/parser')).json()) as { version: string; card: string };
    expect(after.version).not.toBe(before.version);
    expect(after.card).toContain('Retrained.');
    expect((await inFlight).status).toBe(200);
    expect(old.disposed).toBe(true);
  });

  it('serves the chat page, its script and the socket.io client', async () => {
    const page = await get('/');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/app/chat.js');
    const script = await get('/app/chat.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('/socket.io/socket.io.esm.min.js');
    expect((await get('/models.html')).status).toBe(200);
    expect((await get('/socket.io/socket.io.esm.min.js')).status).toBe(200);
  });
});

describe('HTTP admin', () => {
  it('disables admin routes without a token', async () => {
    const t = await startTestServer();
    try {
      writeFileSync(join(t.dir, 'models', 'en-fr', 'extra.txt'), 'x');
      const res = await fetch(new URL('/admin/reload', t.url), { method: 'POST', headers: { authorization: 'Bearer x' } });
      expect(res.status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
