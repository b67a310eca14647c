// Issue 11.6: session ids were chosen by clients ("1" was found in 70 guesses and its history read),
// every guess made a session row, and HTTP chat without a sessionId escaped the per-session limit.
// Sessions are now server-issued tokens; these tests send the hostile inputs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forRequest, next, startTestServer, type TestServer } from './helpers/harness.ts';
import { legacyRows, writeLegacyDb } from '../storage/helpers/legacy-db.ts';

const count = (t: TestServer, table: string) => (t.server.ctx.storage.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('session tokens', () => {
  let t: TestServer;
  let legacyDir: string;
  const post = (body: unknown) =>
    fetch(new URL('/api/chat', t.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    legacyDir = mkdtempSync(join(tmpdir(), 'parley-sessions-'));
    writeLegacyDb(join(legacyDir, 'db.sqlite'));
    t = await startTestServer({ dbFile: join(legacyDir, 'db.sqlite'), limits: { newSessionsPerMinutePerIp: 8, messagesPerMinutePerSession: 3 } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(legacyDir, { recursive: true, force: true });
  });

  it('refuses 70 guessed session ids, "1" included, without reading history or creating rows', async () => {
    const socket = await t.client();
    const rows = count(t, 'sessions');
    for (let i = 1; i <= 70; i++) {
      const err = next(socket, 'request:error', forRequest(`g${i}`));
      socket.emit('session:resume', { requestId: `g${i}`, sessionId: String(i) });
      expect(await err).toMatchObject({ code: 'not_found', message: expect.stringMatching(/unknown session/) });
    }
    // A guessed id in the handshake binds nothing either.
    const guessed = await t.client({ sessionId: '1' });
    const refused = next(guessed, 'request:error');
    guessed.emit('chat:send', { requestId: 'post-into-1', text: 'hijack' });
    expect(await refused).toMatchObject({ requestId: 'post-into-1', code: 'invalid_input' });
    const http = await post({ sessionId: '1', text: 'hijack' });
    expect(http.status).toBe(404);
    expect(count(t, 'sessions')).toBe(rows);
    expect(count(t, 'messages')).toBe(legacyRows.messages);
    expect(t.server.ctx.storage.history(1).map((m) => m.text)).toEqual(['my secret plans', 'plans secret my']);
  });

  it('issues a token over HTTP that resumes the same session, over HTTP and socket.io', async () => {
    const first = (await (await post({ text: 'hello there' })).json()) as { sessionId: string; conversationId: number };
    expect(first.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const second = (await (await post({ text: 'again', sessionId: first.sessionId })).json()) as { sessionId: string; conversationId: number };
    expect(second).toMatchObject({ sessionId: first.sessionId, conversationId: first.conversationId });
    const socket = await t.client();
    socket.emit('session:resume', { requestId: 'h1', sessionId: first.sessionId });
    const state = await next(socket, 'session:state', forRequest('h1'));
    expect(state.messages.filter((m) => m.role === 'user').map((m) => m.text)).toEqual(['hello there', 'again']);
    // The database keeps the token's hash, never the token.
    const stored = t.server.ctx.storage.db.prepare('SELECT id, token_hash FROM sessions').all() as { id: string; token_hash: Buffer | null }[];
    expect(stored.some((r) => r.id === first.sessionId || r.token_hash?.toString('base64url') === first.sessionId)).toBe(false);
  });

  it('limits HTTP chat without a session id: per session, and new sessions per address', async () => {
    const { sessionId } = (await (await post({ text: 'one' })).json()) as { sessionId: string };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post({ text: `more ${i}`, sessionId })).status);
    expect(statuses).toEqual([200, 200, 429]);
    // Leaving the id out gets a new session each time, until this address has had its share.
    const rows = count(t, 'sessions');
    const fresh: number[] = [];
    for (let i = 0; i < 8; i++) fresh.push((await post({ text: `fresh ${i}` })).status);
    expect(fresh.filter((s) => s === 200).length).toBeLessThan(8);
    expect(fresh.at(-1)).toBe(429);
    const refused = (await (await post({ text: 'fresh again' })).json()) as { error: { code: string; message: string } };
    expect(refused.error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/new sessions/) });
    expect(count(t, 'sessions')).toBe(rows + fresh.filter((s) => s === 200).length);
  });
});
