// The line `parley train` prints at each validation: the task's headline figures on their usual scales
// (BLEU and F1 ×100) and the sample they come from. train-log.jsonl keeps every figure as computed.
import type { TaskMetrics } from '../engine/index.ts';

const x100 = (v: number) => (100 * v).toFixed(2);

function headline(m: Omit<TaskMetrics, 'samples'>): string[] {
  const parts = [`perplexity ${m.perplexity.toFixed(2)}`];
  if (m.bleu !== undefined) parts.push(`BLEU ${x100(m.bleu)}`);
  if (m.exactMatch !== undefined) parts.push(`exact match ${x100(m.exactMatch)}%`);
  if (m.f1 !== undefined) parts.push(`F1 ${x100(m.f1)} (P ${x100(m.precision ?? 0)}, R ${x100(m.recall ?? 0)})`);
  if (m.tagAccuracy !== undefined) parts.push(`tags ${x100(m.tagAccuracy)}%`);
  if (m.repairRate !== undefined) parts.push(`repaired ${x100(m.repairRate)}%`);
  if (m.distinct1 !== undefined) parts.push(`distinct-1/2 ${m.distinct1.toFixed(3)}/${(m.distinct2 ?? 0).toFixed(3)}`);
  if (m.meanLength !== undefined) parts.push(`${m.meanLength.toFixed(1)} words a reply`);
  return parts;
}

export function validationLine(step: number, m: Omit<TaskMetrics, 'samples'>): string {
  return `validation at step ${step} (${m.decoded} decoded of ${m.examples} scored): ${headline(m).join(', ')}`;
}
