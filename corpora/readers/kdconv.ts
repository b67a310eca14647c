// Reader for KdConv (Zhou et al. 2020), Chinese knowledge-grounded dialogue, as staged here: JSONL,
// one {"domain", "split", "topic", "turns": [string, ...]} per line (knowledge triples dropped).
import type { IssueLog } from '../errors.ts';
import type { Conversation } from '../types.ts';
import { requireSome, turnRecords } from './guard.ts';

async function* records(file: string, log: IssueLog): AsyncGenerator<Conversation> {
  for await (const { line, value, turns } of turnRecords(file, log)) {
    const domain = typeof value.domain === 'string' ? value.domain : 'unknown';
    const split = typeof value.split === 'string' ? value.split : undefined;
    const topic = typeof value.topic === 'string' ? value.topic : undefined;
    // No upstream id: domain + topic + opening turn is stable when lines are added or reordered.
    yield {
      id: `${domain}/${topic ?? ''}/${turns[0]}`,
      turns,
      ...(topic === undefined ? {} : { topic }),
      ...(split === undefined ? {} : { upstreamSplit: split }),
      source: { file, line },
    };
  }
}

export function readKdconv(file: string, log: IssueLog): AsyncGenerator<Conversation> {
  return requireSome(records(file, log), file, log);
}
