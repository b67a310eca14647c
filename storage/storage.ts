// Conversations, messages, replies (with decoding options and model version) and feedback in SQLite
// (better-sqlite3, WAL). Every write commits before the server emits what it wrote, so a kill -9 loses
// no message whose reply a client has seen. The schema evolves through numbered migrations
// (migrations.ts). Each reply names the user message it answers (reply_to): requests in flight
// together commit in finishing order, so order alone does not say which message a reply answers.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DecodingOptionsInput, GeneratedText, Hypothesis, MessageView, Rating, ReplyDetails, ReplyView } from '../server/protocol.ts';
import { migrate } from './migrations.ts';

/** A reply to store: what the model generated and how it was asked for. */
export interface NewReply extends GeneratedText {
  conversationId: number;
  /** The user message this reply answers, in the same conversation. */
  replyTo: number;
  modelId: string;
  modelVersion: string;
  options: DecodingOptionsInput;
}

export interface ExportedConversation {
  id: number;
  sessionId: string;
  createdAt: string;
  /** In dialogue order: each user message followed by its reply (dialogueOrder). */
  turns: {
    id: number;
    role: 'user' | 'bot';
    text: string;
    /** Bot turns: the id of the user turn answered; absent on replies older than reply_to that could not be paired. */
    replyTo?: number;
    model?: string;
    modelVersion?: string;
    options?: DecodingOptionsInput;
    score?: number;
    feedback?: Rating;
  }[];
}

interface MessageRow {
  id: number;
  role: 'user' | 'bot';
  text: string;
  created_at: string;
  reply_to: number | null;
  model_id: string | null;
  model_version: string | null;
  options_json: string | null;
  score: number | null;
  tokens: number | null;
  n_best_json: string | null;
  timing_ms: number | null;
  rating: number | null;
}

const messageSelect = `
  SELECT m.id, m.role, m.text, m.created_at, m.reply_to, r.model_id, r.model_version, r.options_json, r.score, r.tokens,
         r.n_best_json, r.timing_ms, f.rating
  FROM messages m LEFT JOIN replies r ON r.message_id = m.id LEFT JOIN feedback f ON f.reply_id = m.id`;

const ratingOf = (n: number | null): Rating | null => (n === 1 ? 'up' : n === -1 ? 'down' : null);

function toView(row: MessageRow): MessageView {
  const view: MessageView = { id: row.id, role: row.role, text: row.text, createdAt: row.created_at };
  if (row.role === 'bot' && row.reply_to !== null) view.replyTo = row.reply_to;
  if (row.role === 'bot' && row.model_id !== null) {
    const reply: ReplyView = {
      id: row.id,
      text: row.text,
      score: row.score!,
      tokens: row.tokens!,
      nBest: JSON.parse(row.n_best_json!) as Hypothesis[],
      modelId: row.model_id,
      modelVersion: row.model_version!,
      options: JSON.parse(row.options_json!) as DecodingOptionsInput,
      timingMs: row.timing_ms!,
      rating: ratingOf(row.rating),
    };
    view.reply = reply;
  }
  return view;
}

/**
 * Messages as a dialogue: each user message directly followed by its reply, whatever order they were
 * stored in; a reply without reply_to (older rows that could not be paired) stays where it was stored.
 */
export function dialogueOrder(messages: MessageView[]): MessageView[] {
  const ids = new Set(messages.map((m) => m.id));
  const replyOf = new Map<number, MessageView>();
  for (const m of messages) if (m.replyTo !== undefined) replyOf.set(m.replyTo, m);
  const out: MessageView[] = [];
  for (const m of messages) {
    if (m.replyTo !== undefined && ids.has(m.replyTo)) continue;
    out.push(m);
    const reply = m.role === 'user' ? replyOf.get(m.id) : undefined;
    if (reply) out.push(reply);
  }
  return out;
}

export class Storage {
  readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode is durable against a killed process (only power loss can drop the last commits).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
  }

  private now(): string {
    return new Date().toISOString();
  }

  /** A new session found by `tokenHash` (the token itself is never stored); returns its id. */
  createSession(tokenHash: Buffer): string {
    const id = randomUUID();
    this.db.prepare('INSERT INTO sessions (id, created_at, token_hash) VALUES (?, ?, ?)').run(id, this.now(), tokenHash);
    return id;
  }

  /** The id of the session whose token hashes to `tokenHash`, or null; never creates one. */
  sessionByTokenHash(tokenHash: Buffer): string | null {
    const row = this.db.prepare('SELECT id FROM sessions WHERE token_hash = ?').get(tokenHash) as { id: string } | undefined;
    return row?.id ?? null;
  }

  /** The session's current conversation, starting one when it has none; the session must exist. */
  currentConversation(sessionId: string): number {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT conversation_id FROM sessions WHERE id = ?').get(sessionId) as
        | { conversation_id: number | null }
        | undefined;
      if (!row) throw new Error(`no session ${sessionId}`);
      return row.conversation_id ?? this.startConversation(sessionId);
    })();
  }

  /** Starts a new conversation for the session and makes it current. */
  newConversation(sessionId: string): number {
    return this.db.transaction(() => {
      this.currentConversation(sessionId);
      return this.startConversation(sessionId);
    })();
  }

  private startConversation(sessionId: string): number {
    const id = Number(
      this.db.prepare('INSERT INTO conversations (session_id, created_at) VALUES (?, ?)').run(sessionId, this.now())
        .lastInsertRowid,
    );
    this.db.prepare('UPDATE sessions SET conversation_id = ? WHERE id = ?').run(id, sessionId);
    return id;
  }

  /** The conversation's messages in dialogue order. */
  history(conversationId: number): MessageView[] {
    const rows = this.db.prepare(`${messageSelect} WHERE m.conversation_id = ? ORDER BY m.id`).all(conversationId);
    return dialogueOrder((rows as MessageRow[]).map(toView));
  }

  addUserMessage(conversationId: number, text: string): MessageView {
    const createdAt = this.now();
    const info = this.db
      .prepare("INSERT INTO messages (conversation_id, role, text, created_at) VALUES (?, 'user', ?, ?)")
      .run(conversationId, text, createdAt);
    return { id: Number(info.lastInsertRowid), role: 'user', text, createdAt };
  }

  addReply(r: NewReply): MessageView {
    const id = this.db.transaction(() => {
      const answered = this.db
        .prepare("SELECT 1 FROM messages WHERE id = ? AND conversation_id = ? AND role = 'user'")
        .get(r.replyTo, r.conversationId);
      if (!answered) throw new Error(`message ${r.replyTo} is not a user message of conversation ${r.conversationId}`);
      const info = this.db
        .prepare("INSERT INTO messages (conversation_id, role, text, created_at, reply_to) VALUES (?, 'bot', ?, ?, ?)")
        .run(r.conversationId, r.text, this.now(), r.replyTo);
      const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
      this.db
        .prepare(
          `INSERT INTO replies (message_id, model_id, model_version, options_json, score, tokens, n_best_json,
             attention_json, src_tokens_json, tgt_tokens_json, timing_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          info.lastInsertRowid,
          r.modelId,
          r.modelVersion,
          JSON.stringify(r.options),
          r.score,
          r.tokens,
          JSON.stringify(r.nBest),
          json(r.attention),
          json(r.srcTokens),
          json(r.tgtTokens),
          r.timingMs,
        );
      return Number(info.lastInsertRowid);
    })();
    return toView(this.db.prepare(`${messageSelect} WHERE m.id = ?`).get(id) as MessageRow);
  }

  /** Whether reply `replyId` belongs to one of the session's conversations. */
  ownsReply(sessionId: string, replyId: number): boolean {
    const row = this.db
      .prepare(
        `SELECT 1 FROM replies r JOIN messages m ON m.id = r.message_id JOIN conversations c ON c.id = m.conversation_id
         WHERE r.message_id = ? AND c.session_id = ?`,
      )
      .get(replyId, sessionId);
    return row !== undefined;
  }

  setFeedback(replyId: number, rating: Rating): void {
    this.db
      .prepare(
        `INSERT INTO feedback (reply_id, rating, created_at) VALUES (?, ?, ?)
         ON CONFLICT(reply_id) DO UPDATE SET rating = excluded.rating, created_at = excluded.created_at`,
      )
      .run(replyId, rating === 'up' ? 1 : -1, this.now());
  }

  replyDetails(replyId: number): ReplyDetails | null {
    const row = this.db
      .prepare('SELECT attention_json, src_tokens_json, tgt_tokens_json FROM replies WHERE message_id = ?')
      .get(replyId) as { attention_json: string | null; src_tokens_json: string | null; tgt_tokens_json: string | null } | undefined;
    if (!row) return null;
    const parse = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));
    return {
      replyId,
      attention: parse<number[][]>(row.attention_json),
      srcTokens: parse<string[]>(row.src_tokens_json),
      tgtTokens: parse<string[]>(row.tgt_tokens_json),
    };
  }

  /** Every conversation with at least one message, oldest first, with its feedback. */
  *exportConversations(): Generator<ExportedConversation> {
    const conversations = this.db
      .prepare(
        `SELECT c.id, c.session_id, c.created_at FROM conversations c
         WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id) ORDER BY c.id`,
      )
      .all() as { id: number; session_id: string; created_at: string }[];
    for (const c of conversations) {
      const turns = this.history(c.id).map((m) => ({
        id: m.id,
        role: m.role,
        text: m.text,
        ...(m.replyTo !== undefined && { replyTo: m.replyTo }),
        ...(m.reply && {
          model: m.reply.modelId,
          modelVersion: m.reply.modelVersion,
          options: m.reply.options,
          score: m.reply.score,
          ...(m.reply.rating && { feedback: m.reply.rating }),
        }),
      }));
      yield { id: c.id, sessionId: c.session_id, createdAt: c.created_at, turns };
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
