// Reads a model directory's JSONL training log into points for the models page's charts. Lines look like
// {"step":100,"loss":3.2,"tokensPerSecond":900} and {"step":500,"valid":{"perplexity":24.1,"bleu":3.5}};
// other lines and non-numeric fields are skipped.
import { existsSync, readFileSync } from 'node:fs';
import type { TrainingPoint } from '../protocol.ts';

const maxPoints = 2000;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function parseTrainingLog(text: string): TrainingPoint[] {
  const points: TrainingPoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof raw !== 'object' || raw === null) continue;
    const r = raw as Record<string, unknown>;
    const step = num(r.step);
    if (step === undefined) continue;
    const point: TrainingPoint = { step };
    const loss = num(r.loss);
    const tps = num(r.tokensPerSecond);
    const lr = num(r.learningRate ?? r.lr);
    if (loss !== undefined) point.loss = loss;
    if (tps !== undefined) point.tokensPerSecond = tps;
    if (lr !== undefined) point.learningRate = lr;
    if (typeof r.valid === 'object' && r.valid !== null) {
      const valid = Object.fromEntries(
        Object.entries(r.valid as Record<string, unknown>).flatMap(([k, v]) => (num(v) === undefined ? [] : [[k, v as number]])),
      );
      if (Object.keys(valid).length) point.valid = valid;
    }
    if (point.loss !== undefined || point.valid || point.tokensPerSecond !== undefined) points.push(point);
  }
  return thin(points);
}

/** Keeps every validation point and evenly spaced training points, so long logs stay small on the wire. */
function thin(points: TrainingPoint[]): TrainingPoint[] {
  if (points.length <= maxPoints) return points;
  const every = Math.ceil(points.length / maxPoints);
  return points.filter((p, i) => p.valid !== undefined || i % every === 0 || i === points.length - 1);
}

export function readTrainingLog(path: string | null): TrainingPoint[] {
  if (!path || !existsSync(path)) return [];
  return parseTrainingLog(readFileSync(path, 'utf8'));
}
