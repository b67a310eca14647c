// Reader for the Edinburgh Self-dialogue corpus (Fainberg et al. 2018) as staged here:
// JSONL, one {"id", "topic", "turns": [string, ...]} per line.
import type { IssueLog } from '../errors.ts';
import { readJsonLines } from '../lines.ts';
import type { Conversation } from '../types.ts';
import { isRecord, requireSome, stringTurns } from './guard.ts';

async function* records(file: string, log: IssueLog): AsyncGenerator<Conversation> {
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
    const id = typeof value.id === 'number' || typeof value.id === 'string' ? String(value.id) : `line-${line}`;
    const topic = typeof value.topic === 'string' ? value.topic : undefined;
    yield { id, turns, ...(topic === undefined ? {} : { topic }), source: { file, line } };
  }
}

export function readSelfDialogue(file: string, log: IssueLog): AsyncGenerator<Conversation> {
  return requireSome(records(file, log), file, log);
}
