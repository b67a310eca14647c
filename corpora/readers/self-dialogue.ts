// Reader for the Edinburgh Self-dialogue corpus (Fainberg et al. 2018) as staged here:
// JSONL, one {"id", "topic", "turns": [string, ...]} per line.
import type { IssueLog } from '../errors.ts';
import type { Conversation } from '../types.ts';
import { requireSome, turnRecords } from './guard.ts';

async function* records(file: string, log: IssueLog): AsyncGenerator<Conversation> {
  for await (const { line, value, turns } of turnRecords(file, log)) {
    const id = typeof value.id === 'number' || typeof value.id === 'string' ? String(value.id) : `line-${line}`;
    const topic = typeof value.topic === 'string' ? value.topic : undefined;
    yield { id, turns, ...(topic === undefined ? {} : { topic }), source: { file, line } };
  }
}

export function readSelfDialogue(file: string, log: IssueLog): AsyncGenerator<Conversation> {
  return requireSome(records(file, log), file, log);
}
