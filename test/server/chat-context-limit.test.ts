// Issue 11.3 on the shipped chat-lstm (reads 2 earlier turns, at most 400 source tokens): a long
// message used to be accepted and then keep every later message of the session over the limit.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.ts';
import { createEngineFactory, MAX_SOURCE_TOKENS } from '../../server/service/engine-factory.ts';
import { tempDir } from '../helpers/tmp.ts';

describe('a long chat message on the real chat-lstm', () => {
  const root = tempDir('parley-context-limit');
  let server: RunningServer;

  beforeAll(async () => {
    cpSync('models/chat-lstm', path.join(root, 'models', 'chat-lstm'), { recursive: true });
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      modelsDir: path.join(root, 'models'),
      dbFile: path.join(root, 'db.sqlite'),
      factory: createEngineFactory({ engine: 'tfjs', exportMissing: false }),
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(() => server?.close());

  let sessionId: string | undefined;
  const chat = async (text: string) => {
    const res = await fetch(new URL('/api/chat', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, ...(sessionId && { sessionId }), options: { strategy: 'greedy', maxLength: 12 } }),
    });
    const body = (await res.json()) as { sessionId?: string; error?: { message: string } };
    sessionId ??= body.sessionId;
    return { status: res.status, body };
  };

  it('trims earlier turns so the session keeps working, and refuses only a message too long by itself', async () => {
    const model = server.ctx.loader.get('chat-lstm')!;
    expect(model.task).toBe('chat');
    // 131 words, 393 tokens: fits alone, but not with a reply and another message after it.
    const long = Array.from({ length: 131 }, () => 'Wookiee').join(' ');
    expect((await chat(long)).status).toBe(200);
    for (const text of ['what is your favorite movie?', 'tell me a joke', 'goodbye']) {
      const r = await chat(text);
      expect(r.status, `${text}: ${r.body.error?.message}`).toBe(200);
    }
    const tooLong = await chat(Array.from({ length: 131 }, () => 'Xanadu').join(' '));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error?.message).toMatch(new RegExp(`message too long: \\d+ tokens .*at most ${MAX_SOURCE_TOKENS}`));
    expect((await chat('hello')).status).toBe(200);
  });
});
