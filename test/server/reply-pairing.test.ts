// Issue 11.4: with messages in flight together in one session, replies are stored in the order they
// finish (u1, u2, b2, b1). Export pairs and the model's context must pair each reply with the message it
// answers (reply-to id), never with the message stored just before it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as exportCommand } from '../../cli/conversations.ts';
import { forRequest, next, startTestServer, type TestServer } from './helpers/harness.ts';

const words = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(' ');
const reversed = (text: string) => text.split(' ').reverse().join(' ');

describe('replies paired by reply-to id', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ tickMs: 4, limits: { messagesPerMinutePerSession: 10_000 } });
  });
  afterAll(async () => {
    await t.close();
  });

  async function exportedPairs(): Promise<{ src: string; tgt: string }[]> {
    const out = join(t.dir, `pairs-${Date.now()}.jsonl`);
    expect(await exportCommand(['--db', join(t.dir, 'db.sqlite'), '--out', out, '--format', 'pairs'])).toBe(0);
    return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { src: string; tgt: string });
  }

  it('pairs two messages in flight in one session, in export and in the next context', async () => {
    const { socket } = await t.sessionClient();
    const [u1, u2] = [words('long', 12), 'short one'];
    const r1 = next(socket, 'chat:reply', forRequest('p1'));
    const r2 = next(socket, 'chat:reply', forRequest('p2'));
    socket.emit('chat:send', { requestId: 'p1', text: u1 });
    await next(socket, 'chat:accepted', forRequest('p1'));
    socket.emit('chat:send', { requestId: 'p2', text: u2 });
    const [b1, b2] = [(await r1).message, (await r2).message];
    // The short one finished first: stored order is u1, u2, b2, b1.
    expect(b2.id).toBeLessThan(b1.id);
    expect([b1.text, b2.text]).toEqual([reversed(u1), reversed(u2)]);

    const pairs = await exportedPairs();
    expect(pairs).toContainEqual(expect.objectContaining({ src: u1, tgt: reversed(u1) }));
    expect(pairs).toContainEqual(expect.objectContaining({ src: u2, tgt: reversed(u2) }));

    socket.emit('chat:send', { requestId: 'p3', text: 'and now' });
    await next(socket, 'chat:reply', forRequest('p3'));
    expect(t.factory.created.get('chat-small')!.at(-1)!.stats.lastInputs).toEqual([u1, reversed(u1), u2, reversed(u2), 'and now']);
  });

  it('exports 150 replies of 4-in-flight traffic as 150 pairs, each with the message it answers', async () => {
    const { socket } = await t.sessionClient();
    const texts = Array.from({ length: 150 }, (_, i) => words(`m${i}w`, 1 + ((i * 7) % 9)));
    let sent = 0;
    const replies: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const send = () => {
        const i = sent++;
        if (i < texts.length) socket.emit('chat:send', { requestId: `load-${i}`, text: texts[i]! });
      };
      socket.on('chat:reply', (r) => {
        if (!r.requestId.startsWith('load-')) return;
        replies.push(r.message.text);
        if (replies.length === texts.length) resolve();
        send();
      });
      socket.on('request:error', (e) => reject(new Error(`${e.requestId}: ${e.message}`)));
      for (let k = 0; k < 4; k++) send();
    });
    // The traffic is hostile to pairing by order: most replies do not follow the message they answer.
    const misplaced = t.server.ctx.storage.db
      .prepare("SELECT count(*) AS n FROM messages b WHERE b.role = 'bot' AND b.reply_to <> (SELECT max(id) FROM messages u WHERE u.id < b.id)")
      .get() as { n: number };
    expect(misplaced.n).toBeGreaterThan(50);
    const pairs = (await exportedPairs()).filter((p) => p.src.startsWith('m'));
    expect(pairs).toHaveLength(150);
    expect(pairs.filter((p) => p.tgt !== reversed(p.src))).toEqual([]);
    expect(new Set(pairs.map((p) => p.src))).toEqual(new Set(texts));
  });
});
