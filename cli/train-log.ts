// out/train-log.jsonl: one JSON object per logged step or validation, appended as training goes; on
// resume, entries past the checkpoint (written by the killed run) are dropped so the log reads as one run.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../engine/index.ts';

export interface StepEntry {
  step: number;
  loss: number;
  tokensPerSecond: number;
  learningRate: number;
  gradNorm: number;
  elapsed: number;
}

export interface ValidEntry {
  step: number;
  valid: Record<string, unknown>;
}

export type LogEntry = StepEntry | ValidEntry;

export function readTrainLog(file: string): LogEntry[] {
  if (!existsSync(file)) return [];
  const entries: LogEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as LogEntry);
    } catch {
      // A line cut short by a kill: everything after it is past the checkpoint anyway.
      break;
    }
  }
  return entries;
}

export class TrainLog {
  constructor(readonly file: string) {}

  /** Keep only entries up to `step` (a fresh run keeps none). */
  truncate(step: number): void {
    const kept = readTrainLog(this.file).filter((e) => e.step <= step);
    writeFileAtomic(this.file, kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  append(entry: LogEntry): void {
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }
}
