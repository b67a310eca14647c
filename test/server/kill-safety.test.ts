// kill -9 of a real server process (a child running the CLI with test models): every message the
// server acknowledged (chat:accepted: the user message is stored; chat:reply: the reply is stored) must
// be in the database afterwards, for one client in turn and for many clients with requests in flight.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenHash } from '../../server/service/sessions.ts';
import { Storage } from '../../storage/storage.ts';
import { forRequest, newSession, next, type ClientSocket } from './helpers/harness.ts';
import { writeTestModels } from '../../testkit/test-model.ts';

type Child = ChildProcessByStdio<null, Readable, null>;
const children: Child[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-kill-'));
  dirs.push(dir);
  return dir;
}

async function spawnServer(db: string, models: string): Promise<{ child: Child; url: string }> {
  const args = ['--import', 'tsx', 'testkit/serve-test-model.ts', '--port', '0', '--host', '127.0.0.1', '--models', models, '--db', db];
  const child = spawn(process.execPath, [...args, '--no-watch', '--log-level', 'warn', '--rate-per-session', '100000', '--rate-per-ip', '100000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PARLEY_TEST_TICK_MS: '3' },
  });
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Parley chat: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, url };
}

async function connected(url: string): Promise<ClientSocket> {
  const socket: ClientSocket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
  return socket;
}

async function kill(child: Child): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('kill -9 safety', () => {
  it('keeps every message whose reply was sent when the server process is killed', async () => {
    const dir = tempDir();
    writeTestModels(join(dir, 'models'));
    const db = join(dir, 'db.sqlite');
    const { child, url } = await spawnServer(db, join(dir, 'models'));
    const socket = await connected(url);
    const token = await newSession(socket);
    const sent = ['first message', 'second one here', 'third and last'];
    for (const [i, text] of sent.entries()) {
      socket.emit('chat:send', { requestId: `k${i}`, text });
      await next(socket, 'chat:reply', forRequest(`k${i}`));
    }
    await kill(child);
    socket.disconnect();
    expect(existsSync(`${db}-wal`)).toBe(true);
    const s = new Storage(db);
    const history = s.history(s.currentConversation(s.sessionByTokenHash(tokenHash(token))!));
    s.close();
    expect(history.map((m) => m.text)).toEqual(['first message', 'message first', 'second one here', 'here one second', 'third and last', 'last and third']);
  });

  it('loses no acknowledged message when killed under load from 8 clients with requests in flight', async () => {
    const dir = tempDir();
    writeTestModels(join(dir, 'models'));
    const db = join(dir, 'db.sqlite');
    const { child, url } = await spawnServer(db, join(dir, 'models'));
    const acceptedUsers = new Map<number, string>();
    const replies = new Map<number, { text: string; replyTo: number | undefined }>();
    let sent = 0;
    const sockets = await Promise.all(Array.from({ length: 8 }, () => connected(url)));
    await Promise.all(sockets.map((s) => newSession(s)));
    for (const [c, socket] of sockets.entries()) {
      const send = () => {
        const n = sent++;
        socket.emit('chat:send', { requestId: `c${c}-${n}`, text: Array.from({ length: 2 + (n % 7) }, (_, i) => `w${n}x${i}`).join(' ') });
      };
      socket.on('chat:accepted', (e) => acceptedUsers.set(e.message.id, e.message.text));
      socket.on('chat:reply', (e) => {
        replies.set(e.message.id, { text: e.message.text, replyTo: e.message.replyTo });
        send();
      });
      // Three requests in flight per client, each answered one replaces itself.
      for (let i = 0; i < 3; i++) send();
    }
    await expect.poll(() => replies.size, { timeout: 20_000, interval: 5 }).toBeGreaterThanOrEqual(60);
    await kill(child);
    for (const s of sockets) s.disconnect();
    const acknowledged = { users: acceptedUsers, replies };

    const s = new Storage(db);
    const stored = new Map<number, { text: string; role: string; reply_to: number | null }>(
      (s.db.prepare('SELECT id, text, role, reply_to FROM messages').all() as { id: number; text: string; role: string; reply_to: number | null }[]).map((r) => [r.id, r]),
    );
    s.close();
    const lostUsers = [...acknowledged.users].filter(([id, text]) => stored.get(id)?.text !== text);
    const lostReplies = [...acknowledged.replies].filter(([id, r]) => stored.get(id)?.text !== r.text || stored.get(id)?.reply_to !== r.replyTo);
    console.info(
      `kill -9 under load: ${sent} sent, ${acknowledged.users.size} accepted and ${acknowledged.replies.size} replies acknowledged, ` +
        `${stored.size} rows stored; lost ${lostUsers.length} accepted messages and ${lostReplies.length} replies`,
    );
    expect(lostUsers).toEqual([]);
    expect(lostReplies).toEqual([]);
    // Every acknowledged reply answers an acknowledged message of the same text reversed.
    for (const r of acknowledged.replies.values()) expect(r.text).toBe(acknowledged.users.get(r.replyTo!)!.split(' ').reverse().join(' '));
  });
});
