// Readers for a user's own data: pairs as TSV ("source<TAB>target") or JSONL ({"src","tgt"}), and
// conversations as JSONL ({"id"?, "turns": [string | {"text", "speaker"?|"role"?}]}), the format the
// server exports.
import type { IssueLog } from '../errors.ts';
import { readJsonLines, readLines } from '../lines.ts';
import type { Conversation, Direction, TranslationPair } from '../types.ts';
import { isRecord, requireSome, text } from './guard.ts';

async function* tsvRecords(file: string, log: IssueLog, direction: Direction): AsyncGenerator<TranslationPair> {
  for await (const { line, text: raw } of readLines(file)) {
    if (raw.trim() === '') continue;
    const columns = raw.split('\t');
    if (columns.length !== 2) {
      log.report(file, line, `expected 2 tab-separated columns (source, target), got ${columns.length}`);
      continue;
    }
    const src = columns[0]!.trim();
    const tgt = columns[1]!.trim();
    if (src === '' || tgt === '') {
      log.report(file, line, 'empty source or target');
      continue;
    }
    yield { src, tgt, direction, source: { file, line } };
  }
}

async function* jsonlRecords(file: string, log: IssueLog, direction: Direction): AsyncGenerator<TranslationPair> {
  for await (const { line, value } of readJsonLines(file, (l, m) => log.report(file, l, m))) {
    const src = isRecord(value) ? text(value.src, '"src"') : { error: 'not a JSON object' };
    const tgt = isRecord(value) ? text(value.tgt, '"tgt"') : { error: 'not a JSON object' };
    if (typeof src !== 'string' || typeof tgt !== 'string') {
      log.report(file, line, typeof src !== 'string' ? src.error : (tgt as { error: string }).error);
      continue;
    }
    yield { src, tgt, direction, source: { file, line } };
  }
}

/** "src\ttgt" lines. `direction` labels the pairs (e.g. 'en-fr'; 'in-out' for a chat pair file). */
export function readPairsTsv(file: string, log: IssueLog, direction: Direction = 'src-tgt'): AsyncGenerator<TranslationPair> {
  return requireSome(tsvRecords(file, log, direction), file, log);
}

/** {"src","tgt"} lines. */
export function readPairsJsonl(file: string, log: IssueLog, direction: Direction = 'src-tgt'): AsyncGenerator<TranslationPair> {
  return requireSome(jsonlRecords(file, log, direction), file, log);
}

function turnOf(value: unknown, i: number): { text: string; speaker?: string } | { error: string } {
  if (typeof value === 'string') {
    const t = text(value, `turn ${i}`);
    return typeof t === 'string' ? { text: t } : t;
  }
  if (!isRecord(value)) return { error: `turn ${i} is neither a string nor an object` };
  const t = text(value.text, `turn ${i} "text"`);
  if (typeof t !== 'string') return t;
  const who = value.speaker ?? value.role;
  return typeof who === 'string' ? { text: t, speaker: who } : { text: t };
}

async function* conversationRecords(file: string, log: IssueLog): AsyncGenerator<Conversation> {
  for await (const { line, value } of readJsonLines(file, (l, m) => log.report(file, l, m))) {
    if (!isRecord(value) || !Array.isArray(value.turns)) {
      log.report(file, line, 'expected an object with a "turns" array');
      continue;
    }
    const parsed = value.turns.map(turnOf);
    const bad = parsed.find((t): t is { error: string } => 'error' in t);
    if (bad !== undefined || parsed.length < 2) {
      log.report(file, line, bad?.error ?? `${parsed.length} turn(s); a conversation needs at least 2`);
      continue;
    }
    const turns = parsed as { text: string; speaker?: string }[];
    const speakers = turns.every((t) => t.speaker !== undefined) ? turns.map((t) => t.speaker!) : undefined;
    const id = typeof value.id === 'string' || typeof value.id === 'number' ? String(value.id) : `${turns[0]!.text}`;
    yield { id, turns: turns.map((t) => t.text), ...(speakers ? { speakers } : {}), source: { file, line } };
  }
}

export function readConversationsJsonl(file: string, log: IssueLog): AsyncGenerator<Conversation> {
  return requireSome(conversationRecords(file, log), file, log);
}
