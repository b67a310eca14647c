// TEST ONLY: a database file as the version-1 schema (before issue 11) left it: client-chosen session
// ids ("1"), replies paired only by order, two replies in flight together, feedback.
import Database from 'better-sqlite3';
import { migrate, migrations } from '../../../storage/migrations.ts';

export const legacyRows = { sessions: 2, conversations: 2, messages: 9, replies: 4, feedback: 2 };

export function writeLegacyDb(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  migrate(db, migrations.slice(0, 1));
  const at = '2026-01-01T00:00:00.000Z';
  db.prepare('INSERT INTO sessions (id, created_at) VALUES (?, ?), (?, ?)').run('1', at, 'page-3f9a', at);
  db.prepare("INSERT INTO conversations (id, session_id, created_at) VALUES (1, '1', ?), (2, 'page-3f9a', ?)").run(at, at);
  db.exec("UPDATE sessions SET conversation_id = 1 WHERE id = '1'; UPDATE sessions SET conversation_id = 2 WHERE id = 'page-3f9a'");
  const message = db.prepare('INSERT INTO messages (id, conversation_id, role, text, created_at) VALUES (?, ?, ?, ?, ?)');
  const reply = db.prepare(
    `INSERT INTO replies (message_id, model_id, model_version, options_json, score, tokens, n_best_json, timing_ms)
     VALUES (?, 'chat', 'v0', '{}', -1, 2, '[]', 5)`,
  );
  const rows: [number, number, 'user' | 'bot', string][] = [
    [1, 1, 'user', 'my secret plans'],
    [2, 1, 'bot', 'plans secret my'],
    [3, 2, 'user', 'hello'],
    [4, 2, 'bot', 'hello back'],
    // Two in flight: which reply answers which is not recorded.
    [5, 2, 'user', 'first of two'],
    [6, 2, 'user', 'second of two'],
    [7, 2, 'bot', 'one of them'],
    [8, 2, 'bot', 'the other'],
    [9, 2, 'user', 'never answered'],
  ];
  for (const [id, conversation, role, text] of rows) {
    message.run(id, conversation, role, text, at);
    if (role === 'bot') reply.run(id);
  }
  db.prepare('INSERT INTO feedback (reply_id, rating, created_at) VALUES (2, 1, ?), (7, -1, ?)').run(at, at);
  db.close();
}
