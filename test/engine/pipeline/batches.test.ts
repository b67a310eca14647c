import { describe, expect, it } from 'vitest';
import { planBatches, rowCost } from '../../../engine/pipeline/batches.ts';

const examples = Array.from({ length: 300 }, (_, i) => ({ src: new Array(1 + (i * 7) % 23).fill(5), tgt: new Array(1 + (i * 11) % 19).fill(6) }));

describe('planBatches', () => {
  it('covers every example exactly once per epoch', () => {
    const flat = planBatches(examples, { batchTokens: 120, seed: 3, epoch: 0 }).flat().sort((a, b) => a - b);
    expect(flat).toEqual(examples.map((_, i) => i));
  });

  it('keeps every padded batch within the token budget unless one row alone exceeds it', () => {
    for (const batch of planBatches(examples, { batchTokens: 60, seed: 1, epoch: 2 })) {
      const longest = Math.max(...batch.map((i) => rowCost(examples[i]!)));
      if (batch.length > 1) expect(longest * batch.length).toBeLessThanOrEqual(60);
    }
  });

  it('repeats the same order for the same seed and epoch, and changes it between epochs', () => {
    const a = planBatches(examples, { batchTokens: 100, seed: 9, epoch: 1 });
    expect(planBatches(examples, { batchTokens: 100, seed: 9, epoch: 1 })).toEqual(a);
    expect(planBatches(examples, { batchTokens: 100, seed: 9, epoch: 2 })).not.toEqual(a);
    expect(planBatches(examples, { batchTokens: 100, seed: 10, epoch: 1 })).not.toEqual(a);
  });

  it('groups similar lengths, so batches pad less than a random split would', () => {
    const padding = (batches: number[][]) =>
      batches.reduce((sum, b) => sum + Math.max(...b.map((i) => rowCost(examples[i]!))) * b.length - b.reduce((s, i) => s + rowCost(examples[i]!), 0), 0);
    const bucketed = planBatches(examples, { batchTokens: 200, seed: 1, epoch: 0 });
    // The same batch sizes over the examples in their (length-unrelated) original order.
    let next = 0;
    const unsorted = bucketed.map((b) => b.map(() => next++));
    expect(padding(bucketed)).toBeLessThan(padding(unsorted));
  });
});
