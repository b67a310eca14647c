// Length-bucketed batches under a token budget, in an order that depends only on (seed, epoch): the
// examples are shuffled, sorted by length inside pools (so batches pad little), cut where the padded
// size would pass the budget, and the batches shuffled again. A resumed run rebuilds the same list.
import type { Example } from '../training/batch.ts';
import { Random } from '../random.ts';

export interface BatchPlanOptions {
  /** Padded source-or-target tokens per batch (max length × rows). */
  batchTokens: number;
  seed: number;
  epoch: number;
  /** Batches per sorting pool (default 50). */
  poolBatches?: number;
}

/** Padded cost of one row: the longer of source and target (+1 for EOS). */
export const rowCost = (e: Example): number => Math.max(e.src.length, e.tgt.length + 1);

/** A seed for one epoch's order, so every epoch differs but repeats across runs and resumes. */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(epoch + 1, 0xc2b2ae35)) >>> 0;
}

/** Indices into `examples`, grouped into batches. */
export function planBatches(examples: readonly Example[], options: BatchPlanOptions): number[][] {
  if (!(Number.isInteger(options.batchTokens) && options.batchTokens > 0)) throw new Error(`batchTokens must be a positive integer, got ${options.batchTokens}`);
  const rng = new Random(epochSeed(options.seed, options.epoch));
  const order = rng.shuffle(examples.map((_, i) => i));
  const meanCost = examples.length === 0 ? 1 : examples.reduce((s, e) => s + rowCost(e), 0) / examples.length;
  const poolSize = Math.max(1, Math.round(((options.poolBatches ?? 50) * options.batchTokens) / meanCost));
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += poolSize) {
    const pool = order.slice(start, start + poolSize).sort((a, b) => rowCost(examples[a]!) - rowCost(examples[b]!) || a - b);
    let batch: number[] = [];
    let longest = 0;
    for (const i of pool) {
      const cost = rowCost(examples[i]!);
      if (batch.length > 0 && Math.max(longest, cost) * (batch.length + 1) > options.batchTokens) {
        batches.push(batch);
        batch = [];
        longest = 0;
      }
      batch.push(i);
      longest = Math.max(longest, cost);
    }
    if (batch.length > 0) batches.push(batch);
  }
  return rng.shuffle(batches);
}
