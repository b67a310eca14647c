import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run as exportCommand } from '../../cli/conversations.ts';
import { tokenHash } from '../../server/service/sessions.ts';
import { migrate, migrations } from '../../storage/migrations.ts';
import { Storage } from '../../storage/storage.ts';
import { legacyRows, writeLegacyDb } from './helpers/legacy-db.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-storage-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const reply = (conversationId: number, replyTo: number, text: string) => ({
  conversationId,
  replyTo,
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
    const sess = s.createSession(tokenHash('token'));
    const c = s.currentConversation(sess);
    s.addReply(reply(c, s.addUserMessage(c, 'hi').id, 'hello'));
    s.close();
    const again = new Storage(file);
    expect(again.sessionByTokenHash(tokenHash('token'))).toBe(sess);
    expect(again.currentConversation(sess)).toBe(c);
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
    const sess = s.createSession(tokenHash('t'));
    const c = s.currentConversation(sess);
    const good = s.addReply(reply(c, s.addUserMessage(c, 'how are you').id, 'fine thanks'));
    const bad = s.addReply(reply(c, s.addUserMessage(c, 'and then').id, 'then and'));
    s.setFeedback(good.id, 'up');
    s.setFeedback(bad.id, 'up');
    s.setFeedback(bad.id, 'down');
    s.addUserMessage(s.newConversation(sess), 'never answered');
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

describe('a database made by the version-1 schema', () => {
  it('opens with every row kept, pairs only the replies it can, and makes old session ids unresumable', async () => {
    const dir = tempDir();
    const file = join(dir, 'old.sqlite');
    writeLegacyDb(file);
    const s = new Storage(file);
    expect(s.db.pragma('user_version', { simple: true })).toBe(migrations.length);
    for (const [table, n] of Object.entries(legacyRows)) {
      expect((s.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n, table).toBe(n);
    }
    expect(s.db.prepare('SELECT id, reply_to FROM messages WHERE role = ? ORDER BY id').all('bot')).toEqual([
      { id: 2, reply_to: 1 },
      { id: 4, reply_to: 3 },
      { id: 7, reply_to: null },
      { id: 8, reply_to: null },
    ]);
    // A client-chosen id is no token: "1" and its hash find nothing.
    expect(s.sessionByTokenHash(tokenHash('1'))).toBeNull();
    expect(s.history(2).map((m) => m.text)).toEqual(['hello', 'hello back', 'first of two', 'second of two', 'one of them', 'the other', 'never answered']);
    s.close();

    const out = join(dir, 'pairs.jsonl');
    expect(await exportCommand(['--db', file, '--out', out, '--format', 'pairs'])).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { src: 'my secret plans', tgt: 'plans secret my', feedback: 'up', model: 'chat' },
      { src: 'hello', tgt: 'hello back', model: 'chat' },
    ]);
  });
});
