// The SQLite schema as numbered migrations (PRAGMA user_version): a database file made by any earlier
// version opens with every row kept. Version 2 adds what issue 11 needs: sessions found by the hash of a
// server-issued token, and each reply's reply_to (the user message it answers).
import type Database from 'better-sqlite3';

export type Migration = (db: Database.Database) => void;

export const migrations: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        conversation_id INTEGER
      );
      CREATE TABLE conversations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        created_at TEXT NOT NULL
      );
      CREATE INDEX conversations_session ON conversations(session_id);
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        role TEXT NOT NULL CHECK (role IN ('user', 'bot')),
        text TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX messages_conversation ON messages(conversation_id, id);
      CREATE TABLE replies (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        model_id TEXT NOT NULL,
        model_version TEXT NOT NULL,
        options_json TEXT NOT NULL,
        score REAL NOT NULL,
        tokens INTEGER NOT NULL,
        n_best_json TEXT NOT NULL,
        attention_json TEXT,
        src_tokens_json TEXT,
        tgt_tokens_json TEXT,
        timing_ms REAL NOT NULL
      );
      CREATE TABLE feedback (
        reply_id INTEGER PRIMARY KEY REFERENCES replies(message_id),
        rating INTEGER NOT NULL CHECK (rating IN (1, -1)),
        created_at TEXT NOT NULL
      );
    `),
  (db) => {
    db.exec(`
      -- Sessions made before version 2 have no token: their ids were chosen by clients, so they cannot be resumed.
      ALTER TABLE sessions ADD COLUMN token_hash BLOB;
      CREATE UNIQUE INDEX sessions_token_hash ON sessions(token_hash) WHERE token_hash IS NOT NULL;
      ALTER TABLE messages ADD COLUMN reply_to INTEGER REFERENCES messages(id);
    `);
    backfillReplyTo(db);
    db.exec('CREATE UNIQUE INDEX messages_reply_to ON messages(reply_to) WHERE reply_to IS NOT NULL');
  },
];

/**
 * Older rows only have their order. A reply that follows a user message directly, with no other reply
 * right before or after it, answers that message (strict turn-taking). Replies next to another reply had
 * requests in flight together and committed in finishing order, so which message each answers is not
 * known: they stay without reply_to (kept in the history, left out of pairs and of the model's context).
 */
function backfillReplyTo(db: Database.Database): void {
  const rows = db.prepare('SELECT id, conversation_id, role FROM messages ORDER BY conversation_id, id').all() as {
    id: number;
    conversation_id: number;
    role: 'user' | 'bot';
  }[];
  const set = db.prepare('UPDATE messages SET reply_to = ? WHERE id = ?');
  rows.forEach((row, i) => {
    if (row.role !== 'bot') return;
    const same = (j: number) => rows[j]?.conversation_id === row.conversation_id;
    const prev = same(i - 1) ? rows[i - 1]! : undefined;
    const next = same(i + 1) ? rows[i + 1] : undefined;
    if (prev?.role === 'user' && next?.role !== 'bot') set.run(prev.id, row.id);
  });
}

/** Applies the migrations past the database's user_version, each in its own transaction. */
export function migrate(db: Database.Database, list: Migration[] = migrations): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > list.length) {
    throw new Error(`database schema version ${current} is newer than this server knows (${list.length})`);
  }
  for (let v = current; v < list.length; v++) {
    db.transaction(() => {
      list[v]!(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return list.length;
}

