// Reader for Schema-Guided Dialogue (Rastogi et al. 2020) as staged here: JSONL, one
// {"id", "services", "turns": [{"speaker": "USER"|"SYSTEM", "text"}]} per line.
import type { IssueLog } from '../errors.ts';
import { readJsonLines } from '../lines.ts';
import type { Conversation } from '../types.ts';
import { isRecord, requireSome, text } from './guard.ts';

async function* records(file: string, log: IssueLog, upstreamSplit: string | undefined): AsyncGenerator<Conversation> {
  for await (const { line, value } of readJsonLines(file, (l, m) => log.report(file, l, m))) {
    if (!isRecord(value) || !Array.isArray(value.turns)) {
      log.report(file, line, 'expected an object with a "turns" array');
      continue;
    }
    const turns: string[] = [];
    const speakers: string[] = [];
    let problem: string | undefined;
    value.turns.forEach((turn: unknown, i: number) => {
      if (problem !== undefined) return;
      const t = isRecord(turn) ? text(turn.text, `turn ${i} text`) : { error: `turn ${i} is not an object` };
      if (typeof t !== 'string') problem = t.error;
      else if (!isRecord(turn) || (turn.speaker !== 'USER' && turn.speaker !== 'SYSTEM')) problem = `turn ${i} speaker is not USER or SYSTEM`;
      else {
        turns.push(t);
        speakers.push(turn.speaker);
      }
    });
    if (problem === undefined && turns.length < 2) problem = `${turns.length} turn(s); a conversation needs at least 2`;
    if (problem !== undefined) {
      log.report(file, line, problem);
      continue;
    }
    const id = typeof value.id === 'string' ? value.id : `line-${line}`;
    const topic = Array.isArray(value.services) ? value.services.join(',') : undefined;
    yield {
      id,
      turns,
      speakers,
      ...(topic === undefined ? {} : { topic }),
      ...(upstreamSplit === undefined ? {} : { upstreamSplit }),
      source: { file, line },
    };
  }
}

/** `upstreamSplit` labels the file's examples (SGD ships train/dev/test as separate files). */
export function readSgd(file: string, log: IssueLog, upstreamSplit?: string): AsyncGenerator<Conversation> {
  return requireSome(records(file, log, upstreamSplit), file, log);
}
