import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenHash } from '../../server/service/sessions.ts';
import { forRequest, next, startTestServer, type TestServer } from './helpers/harness.ts';

describe('socket.io chat', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ tickMs: 5 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a message with streamed partials and a stored reply', async () => {
    const socket = await t.client();
    socket.emit('session:resume', { requestId: 'r0' });
    const state = await next(socket, 'session:state', forRequest('r0'));
    expect(state.messages).toEqual([]);
    // Issued by the server: 256 random bits, base64url.
    expect(state.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const partials: string[] = [];
    socket.on('chat:partial', (p) => partials.push(p.text));
    const accepted = next(socket, 'chat:accepted', forRequest('r1'));
    const reply = next(socket, 'chat:reply', forRequest('r1'));
    socket.emit('chat:send', { requestId: 'r1', text: 'one two three four', options: { nBest: 3, beamSize: 3 } });
    expect((await accepted).message.text).toBe('one two three four');
    const { message } = await reply;
    expect(message.role).toBe('bot');
    expect(message.text).toBe('four three two one');
    expect(message.reply?.nBest.map((h) => h.text)).toEqual(['four three two one', 'four three two one !', 'four three two one !!']);
    expect(message.reply?.options).toEqual({ nBest: 3, beamSize: 3 });
    expect(message.reply?.modelId).toBe('chat-small');
    // Partials are volatile (a slow client may miss some), each the whole best text so far.
    expect(partials.length).toBeGreaterThan(0);
    expect(partials.every((p, i) => 'four three two one'.startsWith(p) && (i === 0 || p.length > partials[i - 1]!.length))).toBe(true);
  });

  it('resumes the conversation after a reconnect and feeds earlier turns to the model', async () => {
    const { socket: first, token } = await t.sessionClient();
    first.emit('chat:send', { requestId: 'a', text: 'hello there' });
    await next(first, 'chat:reply', forRequest('a'));
    first.disconnect();

    const second = await t.client();
    second.emit('session:resume', { requestId: 'b', sessionId: token });
    const state = await next(second, 'session:state', forRequest('b'));
    expect(state.messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'hello there'],
      ['bot', 'there hello'],
    ]);
    second.emit('chat:send', { requestId: 'c', text: 'how are you' });
    await next(second, 'chat:reply', forRequest('c'));
    const model = t.factory.created.get('chat-small')!.at(-1)!;
    expect(model.stats.lastInputs).toEqual(['hello there', 'there hello', 'how are you']);

    second.emit('conversation:new', { requestId: 'd' });
    const fresh = await next(second, 'session:state', forRequest('d'));
    expect(fresh.messages).toEqual([]);
    expect(fresh.conversationId).not.toBe(state.conversationId);
  });

  it('stores feedback and serves attention for a reply of the session only', async () => {
    const { socket, token } = await t.sessionClient();
    socket.emit('chat:send', { requestId: 'f1', text: 'a b c', options: { returnAttention: true } });
    const { message } = await next(socket, 'chat:reply', forRequest('f1'));
    socket.emit('feedback:send', { requestId: 'f2', replyId: message.id, rating: 'down' });
    expect((await next(socket, 'feedback:saved', forRequest('f2'))).rating).toBe('down');
    socket.emit('reply:details', { requestId: 'f3', replyId: message.id });
    const details = await next(socket, 'reply:details', forRequest('f3'));
    expect(details.srcTokens).toEqual(['a', 'b', 'c']);
    expect(details.attention).toHaveLength(3);
    expect(details.attention![0]![2]).toBeCloseTo(0.7);

    const { socket: stranger } = await t.sessionClient();
    const err = next(stranger, 'request:error');
    stranger.emit('feedback:send', { requestId: 'f4', replyId: message.id, rating: 'up' });
    expect(await err).toMatchObject({ requestId: 'f4', code: 'not_found' });
    socket.emit('session:resume', { requestId: 'f5', sessionId: token });
    const state = await next(socket, 'session:state', forRequest('f5'));
    expect(state.messages.at(-1)?.reply?.rating).toBe('down');
  });

  it('answers invalid input with error events and keeps serving', async () => {
    const { socket } = await t.sessionClient();
    const cases: [unknown, string][] = [
      [{ requestId: 'i1', text: '' }, 'i1'],
      [{ requestId: 'i2', text: 'x'.repeat(5000) }, 'i2'],
      [{ requestId: 'i3', text: 'hi', options: { beamSize: 'wide' } }, 'i3'],
      [{ requestId: 'i4', text: 'hi', options: { unknownKnob: 1 } }, 'i4'],
      [{ requestId: 'i5', text: 'bad \uD800 surrogate' }, 'i5'],
      [{ requestId: 'i6', text: 'hi', model: 'en-fr' }, 'i6'],
      [{ requestId: 'i7', text: 'hi there', options: { nBest: 4, beamSize: 2 } }, 'i7'],
      ['not an object', ''],
    ];
    for (const [payload, requestId] of cases) {
      const err = next(socket, 'request:error');
      (socket as unknown as { emit(e: string, p: unknown): void }).emit('chat:send', payload);
      const e = await err;
      expect(e.code).toBe('invalid_input');
      expect(e.requestId).toBe(requestId || null);
      expect(e.message.length).toBeGreaterThan(0);
    }
    for (const name of ['no:such', 'constructor']) {
      const unknown = next(socket, 'request:error');
      (socket as unknown as { emit(e: string, p: unknown): void }).emit(name, {});
      expect((await unknown).message).toMatch(/unknown event/);
    }
    const missing = next(socket, 'request:error');
    socket.emit('chat:send', { requestId: 'i8', text: 'hi', model: 'nope' });
    expect(await missing).toMatchObject({ requestId: 'i8', code: 'not_found' });

    socket.emit('chat:send', { requestId: 'ok', text: 'still \u0007here' });
    expect((await next(socket, 'chat:reply', forRequest('ok'))).message.text).toBe('here still');
  });

  it('refuses a chat before any session is known', async () => {
    const socket = await t.client();
    const err = next(socket, 'request:error');
    socket.emit('chat:send', { requestId: 'n1', text: 'hello' });
    expect(await err).toMatchObject({ requestId: 'n1', code: 'invalid_input' });
  });

  it('cancels the decode when the client disconnects', async () => {
    const model = t.factory.created.get('chat-small')!.at(-1)!;
    const abortedBefore = model.stats.aborted;
    const { socket } = await t.sessionClient();
    const partial = next(socket, 'chat:partial', forRequest('d1'));
    socket.emit('chat:send', { requestId: 'd1', text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ') });
    await partial;
    socket.disconnect();
    await expect.poll(() => model.stats.aborted, { timeout: 5000 }).toBe(abortedBefore + 1);
  });

  it('cancels a request on chat:cancel with a cancelled error', async () => {
    const { socket } = await t.sessionClient();
    const partial = next(socket, 'chat:partial', forRequest('c1'));
    socket.emit('chat:send', { requestId: 'c1', text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ') });
    await partial;
    const err = next(socket, 'request:error');
    socket.emit('chat:cancel', { requestId: 'c1' });
    expect(await err).toMatchObject({ requestId: 'c1', code: 'cancelled' });
  });
});

describe('socket.io limits', () => {
  it('says busy when the queue is full, and rate-limits a session', async () => {
    const t = await startTestServer({ tickMs: 20, maxActiveRowsPerModel: 1, maxQueuedPerModel: 1, limits: { messagesPerMinutePerSession: 5 } });
    try {
      const long = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ');
      const sessions = await Promise.all([1, 2, 3].map(() => t.sessionClient()));
      const clients = sessions.map((s) => s.socket);
      const errors = clients.map((c) => next(c, 'request:error'));
      clients[0]!.emit('chat:send', { requestId: 'b1', text: long });
      await next(clients[0]!, 'chat:accepted');
      clients[1]!.emit('chat:send', { requestId: 'b2', text: long });
      await next(clients[1]!, 'chat:accepted');
      clients[2]!.emit('chat:send', { requestId: 'b3', text: long });
      expect(await errors[2]).toMatchObject({ requestId: 'b3', code: 'busy' });
      // Refused before it was stored: a busy message is neither accepted nor left in the history.
      clients[2]!.emit('session:resume', { requestId: 's3', sessionId: sessions[2]!.token });
      expect((await next(clients[2]!, 'session:state', forRequest('s3'))).messages).toEqual([]);
      for (const c of clients) c.disconnect();

      const { socket } = await t.sessionClient();
      const codes: string[] = [];
      socket.on('request:error', (e) => codes.push(e.code));
      for (let i = 0; i < 6; i++) socket.emit('chat:send', { requestId: `r${i}`, text: 'hi' });
      await expect.poll(() => codes.includes('rate_limited'), { timeout: 5000 }).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('times out a request that runs past the time limit', async () => {
    // A word a minute: the reply cannot come before the limit, however loaded the machine.
    const t = await startTestServer({ tickMs: 60_000, timeLimitMs: 100 });
    try {
      const { socket } = await t.sessionClient();
      const err = next(socket, 'request:error');
      socket.emit('chat:send', { requestId: 't1', text: 'a b c d e f g h i j' });
      expect(await err).toMatchObject({ requestId: 't1', code: 'timeout' });
    } finally {
      await t.close();
    }
  });
});

describe('socket.io shutdown and origins', () => {
  it('finishes in-flight replies on shutdown, refuses new work, and closes the database', async () => {
    const t = await startTestServer({ tickMs: 10, graceMs: 5000 });
    const { socket, token } = await t.sessionClient();
    socket.emit('chat:send', { requestId: 'g1', text: 'one two three four five six seven eight' });
    await next(socket, 'chat:accepted', forRequest('g1'));
    const reply = next(socket, 'chat:reply', forRequest('g1'));
    const closed = t.server.close();
    expect((await reply).message.text).toBe('eight seven six five four three two one');
    await closed;
    expect(t.server.ctx.storage.db.open).toBe(false);
    const { Storage } = await import('../../storage/storage.ts');
    const reopened = new Storage(`${t.dir}/db.sqlite`);
    const id = reopened.sessionByTokenHash(tokenHash(token))!;
    expect(reopened.history(reopened.currentConversation(id)).map((m) => m.role)).toEqual(['user', 'bot']);
    reopened.close();
    await t.close();
  });

  it('cancels what outlives the grace period with a shutting_down error', async () => {
    // A word a minute: the reply cannot finish within the grace period, however fast the machine.
    const t = await startTestServer({ tickMs: 60_000, graceMs: 50 });
    const { socket } = await t.sessionClient();
    socket.emit('chat:send', { requestId: 'g2', text: Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ') });
    await next(socket, 'chat:accepted', forRequest('g2'));
    const err = next(socket, 'request:error');
    void t.server.close();
    expect(await err).toMatchObject({ requestId: 'g2', code: 'shutting_down' });
    await t.close();
  });

  it('accepts browsers from its own origin and the allowlist only', async () => {
    const t = await startTestServer({ origins: ['https://friend.example'] });
    const { io: connect } = await import('socket.io-client');
    const attempt = (origin: string) =>
      new Promise<boolean>((resolve) => {
        const s = connect(t.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin } });
        s.once('connect', () => (s.disconnect(), resolve(true)));
        s.once('connect_error', () => (s.disconnect(), resolve(false)));
      });
    try {
      expect(await attempt('https://evil.example')).toBe(false);
      expect(await attempt('https://friend.example')).toBe(true);
      expect(await attempt(t.url.replace(/\/$/, ''))).toBe(true);
    } finally {
      await t.close();
    }
  });
});
