import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { run as exportCommand } from '../../cli/conversations.ts';
import { migrate, migrations, Storage } from '../../server/storage.ts';
import { forRequest, next, type ClientSocket } from './helpers/harness.ts';
import { writeTestModels } from './helpers/test-model.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-storage-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const reply = (conversationId: number, text: string) => ({
  conversationId,
  text,
  modelId: 'm',
  modelVersion: 'v1',
  options: { beamSize: 2 },
  score: -1,
  tokens: 2,
  nBest: [{ text, score: -1 }],
  timingMs: 3,
});

describe('storage', () => {
  it('creates the schema in WAL mode at the latest version and keeps data across reopen', () => {
    const file = join(tempDir(), 'db.sqlite');
    const s = new Storage(file);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('user_version', { simple: true })).toBe(migrations.length);
    const c = s.currentConversation('sess');
    s.addUserMessage(c, 'hi');
    s.addReply(reply(c, 'hello'));
    s.close();
    const again = new Storage(file);
    expect(again.currentConversation('sess')).toBe(c);
    expect(again.history(c).map((m) => m.text)).toEqual(['hi', 'hello']);
    expect(again.history(c)[1]!.reply).toMatchObject({ modelVersion: 'v1', options: { beamSize: 2 } });
    again.close();
  });

  it('applies only the missing migrations, each atomically, and refuses a newer schema', () => {
    const db = new Database(':memory:');
    const steps = [
      (d: Database.Database) => d.exec('CREATE TABLE a (x INTEGER)'),
      (d: Database.Database) => d.exec('ALTER TABLE a ADD COLUMN y TEXT'),
    ];
    expect(migrate(db, steps.slice(0, 1))).toBe(1);
    db.exec('INSERT INTO a (x) VALUES (1)');
    expect(migrate(db, steps)).toBe(2);
    expect(db.prepare('SELECT x, y FROM a').all()).toEqual([{ x: 1, y: null }]);
    const failing = [...steps, (d: Database.Database) => d.exec('CREATE TABLE b (z); THIS IS NOT SQL')];
    expect(() => migrate(db, failing)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    expect(() => migrate(db, steps.slice(0, 1))).toThrow(/newer/);
  });

  it('exports conversations with feedback, and pairs filtered by feedback, as JSONL', async () => {
    const dir = tempDir();
    const s = new Storage(join(dir, 'db.sqlite'));
    const c = s.currentConversation('sess');
    s.addUserMessage(c, 'how are you');
    const good = s.addReply(reply(c, 'fine thanks'));
    s.addUserMessage(c, 'and then');
    const bad = s.addReply(reply(c, 'then and'));
    s.setFeedback(good.id, 'up');
    s.setFeedback(bad.id, 'up');
    s.setFeedback(bad.id, 'down');
    s.addUserMessage(s.newConversation('sess'), 'never answered');
    s.close();

    const conversations = join(dir, 'conversations.jsonl');
    expect(await exportCommand(['--db', join(dir, 'db.sqlite'), '--out', conversations])).toBe(0);
    const lines = readFileSync(conversations, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].turns.map((t: { feedback?: string }) => t.feedback ?? null)).toEqual([null, 'up', null, 'down']);

    const pairsFile = join(dir, 'pairs.jsonl');
    expect(await exportCommand(['--db', join(dir, 'db.sqlite'), '--out', pairsFile, '--format', 'pairs', '--feedback', 'up'])).toBe(0);
    expect(readFileSync(pairsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { src: 'how are you', tgt: 'fine thanks', feedback: 'up', model: 'm' },
    ]);
    expect(await exportCommand(['--db', join(dir, 'db.sqlite'), '--format', 'tables'])).toBe(2);
  });
});

describe('kill -9 safety', () => {
  it('keeps every message whose reply was sent when the server process is killed', async () => {
    const dir = tempDir();
    writeTestModels(join(dir, 'models'));
    const db = join(dir, 'db.sqlite');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/server/helpers/serve-test-model.ts', '--port', '0', '--host', '127.0.0.1', '--models', join(dir, 'models'), '--db', db, '--no-watch', '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /Parley chat: (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      });
      const socket: ClientSocket = connect(url, { auth: { sessionId: 'killed' }, transports: ['websocket'], reconnection: false });
      const sent = ['first message', 'second one here', 'third and last'];
      for (const [i, text] of sent.entries()) {
        socket.emit('chat:send', { requestId: `k${i}`, text });
        await next(socket, 'chat:reply', forRequest(`k${i}`));
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      socket.disconnect();
      expect(existsSync(`${db}-wal`)).toBe(true);
      const s = new Storage(db);
      const history = s.history(s.currentConversation('killed'));
      s.close();
      expect(history.map((m) => m.text)).toEqual(['first message', 'message first', 'second one here', 'here one second', 'third and last', 'last and third']);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
