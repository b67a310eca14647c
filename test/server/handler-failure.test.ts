// A fault inside the server (here: a model whose generate throws synchronously, or storage that throws)
// ends the one request with an internal error; the process, other requests and other clients carry on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forRequest, next, startTestServer, type TestServer } from './helpers/harness.ts';

describe('a handler that throws', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  const breakModel = (id: string) => {
    const model = t.factory.created.get(id)!.at(-1)!;
    const generate = model.generate.bind(model);
    model.generate = (request) => {
      if (request.inputs.at(-1) === 'explode') throw new TypeError("Cannot read properties of undefined (reading 'x')");
      return generate(request);
    };
  };

  it('answers the HTTP request 500 internal without details, and the next one normally', async () => {
    breakModel('en-fr');
    const post = (text: string) => fetch(new URL('/api/translate', t.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    const failed = await post('explode');
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect((await post('a b')).status).toBe(200);
  });

  it('answers the socket request with request:error internal, and the same socket keeps chatting', async () => {
    breakModel('chat-small');
    const { socket } = await t.sessionClient();
    socket.emit('chat:send', { requestId: 'x', text: 'explode' });
    expect(await next(socket, 'request:error', forRequest('x'))).toMatchObject({ code: 'internal' });
    const storage = t.server.ctx.storage as unknown as { ownsReply(s: string, r: number): boolean };
    const ownsReply = storage.ownsReply;
    storage.ownsReply = () => {
      throw new Error('database is locked');
    };
    socket.emit('feedback:send', { requestId: 'f', replyId: 1, rating: 'up' });
    expect(await next(socket, 'request:error', forRequest('f'))).toMatchObject({ code: 'internal' });
    storage.ownsReply = ownsReply;
    socket.emit('chat:send', { requestId: 'y', text: 'fine now' });
    expect((await next(socket, 'chat:reply', forRequest('y'))).message.text).toBe('now fine');
  });
});
