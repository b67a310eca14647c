// `parley conversations`: writes the server's stored conversations, with feedback, as JSONL in the formats the
// corpus readers take (corpora/readers/user-pairs.ts): conversations {"id","turns":[{"role","text",…}]}
// with at least two turns, or {"src","tgt"} pairs of user message and reply.
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Storage, type ExportedConversation } from '../storage/storage.ts';

const usage = `usage: parley conversations [--db FILE] [--out FILE] [--format conversations|pairs] [--feedback any|up|not-down]
  --db FILE        the server database (default ./data/parley.sqlite)
  --out FILE       output JSONL (default: standard output)
  --format F       conversations: one conversation (2+ turns) a line with its turns and feedback (default)
                   pairs: {"src","tgt","feedback"?,"model"} a line, src the user message each reply answers
  --feedback F     pairs only: keep all replies (any, default), only 👍 ones (up), or all but 👎 (not-down)`;

type Format = 'conversations' | 'pairs';
type FeedbackFilter = 'any' | 'up' | 'not-down';

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`--${name} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

/** A {src, tgt} pair per reply, src the user message it answers (by reply-to id, not by position). */
export function* pairs(conversation: ExportedConversation, filter: FeedbackFilter): Generator<object> {
  const users = new Map(conversation.turns.filter((t) => t.role === 'user').map((t) => [t.id, t]));
  for (const turn of conversation.turns) {
    const prompt = turn.role === 'bot' && turn.replyTo !== undefined ? users.get(turn.replyTo) : undefined;
    if (!prompt) continue;
    if (filter === 'up' && turn.feedback !== 'up') continue;
    if (filter === 'not-down' && turn.feedback === 'down') continue;
    yield { src: prompt.text, tgt: turn.text, ...(turn.feedback && { feedback: turn.feedback }), model: turn.model };
  }
}

export async function run(args: string[]): Promise<number> {
  let format: Format;
  let filter: FeedbackFilter;
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: { db: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, feedback: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
    format = oneOf('format', values.format, ['conversations', 'pairs'] as const, 'conversations');
    filter = oneOf('feedback', values.feedback, ['any', 'up', 'not-down'] as const, 'any');
  } catch (error) {
    console.error(`parley conversations: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const dbFile = values.db ?? './data/parley.sqlite';
  if (!existsSync(dbFile)) {
    console.error(`parley conversations: no database at ${dbFile}`);
    return 1;
  }
  const storage = new Storage(dbFile);
  const out: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  let lines = 0;
  try {
    for (const conversation of storage.exportConversations()) {
      if (format === 'conversations' && conversation.turns.length < 2) continue;
      const records = format === 'conversations' ? [conversation] : pairs(conversation, filter);
      for (const record of records) {
        if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
        lines++;
      }
    }
  } finally {
    storage.close();
    if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
  }
  console.error(`parley conversations: ${lines} line(s) written`);
  return 0;
}
