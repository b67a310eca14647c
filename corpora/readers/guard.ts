// Shared checks for corpus readers: a reader that yields nothing is a CorpusError, and turn lists are
// validated the same way everywhere.
import { CorpusError, type IssueLog } from '../errors.ts';
import { readJsonLines } from '../lines.ts';

/** Re-yields `examples`; throws CorpusError if none came out (empty file, or every record bad). */
export async function* requireSome<T>(examples: AsyncIterable<T>, file: string, log: IssueLog): AsyncGenerator<T> {
  let count = 0;
  for await (const example of examples) {
    count++;
    yield example;
  }
  if (count === 0) {
    const why = log.count > 0 ? `; ${log.summary()}` : '';
    throw new CorpusError(`no usable examples in ${file}${why}`);
  }
}

/** A non-empty string after trimming, else an explanation of what is wrong. */
export function text(value: unknown, what: string): string | { error: string } {
  if (typeof value !== 'string') return { error: `${what} is not a string` };
  const trimmed = value.trim();
  return trimmed === '' ? { error: `${what} is empty` } : trimmed;
}

/** Turns as non-empty strings; at least two, since a conversation needs a message and a response. */
export function stringTurns(value: unknown): string[] | { error: string } {
  if (!Array.isArray(value)) return { error: '"turns" is not an array' };
  if (value.length < 2) return { error: `${value.length} turn(s); a conversation needs at least 2` };
  const turns: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const t = text(value[i], `turn ${i}`);
    if (typeof t !== 'string') return t;
    turns.push(t);
  }
  return turns;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSONL records that are objects with a valid "turns" list; every other line is reported and skipped. */
export async function* turnRecords(file: string, log: IssueLog): AsyncGenerator<{ line: number; value: Record<string, unknown>; turns: string[] }> {
  for await (const { line, value } of readJsonLines(file, (l, m) => log.report(file, l, m))) {
    if (!isRecord(value)) {
      log.report(file, line, 'not a JSON object');
      continue;
    }
    const turns = stringTurns(value.turns);
    if (!Array.isArray(turns)) {
      log.report(file, line, turns.error);
      continue;
    }
    yield { line, value, turns };
  }
}
