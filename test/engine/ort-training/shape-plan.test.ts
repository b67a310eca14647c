// Planned step-graph lengths: every batch of the plan's epoch fits a planned pair, the budget holds,
// joins cost the fewest padded positions, and a batch runs in the smallest pair that holds it.
import { describe, expect, it } from 'vitest';
import { planShapes, ShapePlan, type ShapeUse } from '../../../engine/ort-training/shape-plan.ts';
import { makeStepBatch, shapeUse } from '../../../engine/ort-training/step-batch.ts';
import { runGrid } from '../../../engine/ort-training/train-engine.ts';
import { Random } from '../../../engine/random.ts';

const specials = { pad: 0, unk: 1, bos: 2, eos: 3 };
const padded = (uses: ShapeUse[], plan: ShapePlan) =>
  uses.reduce((s, u) => {
    const p = plan.cover(u.src, u.tgt)!;
    return s + u.rows * (p.src - u.src + p.tgt - u.tgt);
  }, 0);

describe('planShapes', () => {
  it('keeps the exact pairs when they fit the budget', () => {
    const uses = [{ src: 5, tgt: 7, rows: 3 }, { src: 9, tgt: 4, rows: 1 }, { src: 5, tgt: 7, rows: 2 }];
    expect(planShapes(uses, 2).pairs).toEqual([{ src: 5, tgt: 7 }, { src: 9, tgt: 4 }]);
  });

  it('joins the pairs whose join pads the fewest row positions', () => {
    // (10, 10) × 100 rows, (11, 10) × 1 row, (20, 20) × 1 row: joining the first two pads 100
    // positions, joining the two one-row pairs 19, so that join is chosen.
    const uses = [{ src: 10, tgt: 10, rows: 100 }, { src: 11, tgt: 10, rows: 1 }, { src: 20, tgt: 20, rows: 1 }];
    expect(planShapes(uses, 2).pairs).toEqual([{ src: 10, tgt: 10 }, { src: 20, tgt: 20 }]);
  });

  it('covers every use within the budget and pads no more than the ladder-sized grids', () => {
    const rng = new Random(7);
    const uses: ShapeUse[] = Array.from({ length: 2000 }, () => {
      const src = 2 + Math.floor(Math.exp(rng.next() * 3.5));
      return { src, tgt: Math.max(2, src + rng.int(9) - 4), rows: 1 + rng.int(100) };
    });
    for (const budget of [1, 8, 32]) {
      const plan = planShapes(uses, budget);
      expect(plan.pairs.length).toBeLessThanOrEqual(budget);
      expect(uses.every((u) => plan.cover(u.src, u.tgt) !== null)).toBe(true);
    }
    // Rounding lengths up to multiples of 8 makes few pairs; the plan of as many pairs pads less.
    const byEight = new Set(uses.map((u) => `${Math.ceil(u.src / 8)}x${Math.ceil(u.tgt / 8)}`)).size;
    const eightPadding = uses.reduce((s, u) => s + u.rows * (Math.ceil(u.src / 8) * 8 - u.src + Math.ceil(u.tgt / 8) * 8 - u.tgt), 0);
    expect(padded(uses, planShapes(uses, byEight))).toBeLessThan(eightPadding);
  });

  it('rounds a large start set before the quadratic search, still covering every use', () => {
    const uses = Array.from({ length: 900 }, (_, k) => ({ src: 1 + (k % 30), tgt: 1 + Math.floor(k / 30), rows: 1 }));
    const plan = planShapes(uses, 10, 100);
    expect(plan.pairs.length).toBeLessThanOrEqual(10);
    expect(uses.every((u) => plan.cover(u.src, u.tgt) !== null)).toBe(true);
  });

  it('refuses a budget that is not a positive integer', () => {
    expect(() => planShapes([{ src: 1, tgt: 1, rows: 1 }], 0)).toThrow(/positive integer/);
  });
});

describe('a planned batch', () => {
  const plan = new ShapePlan([{ src: 6, tgt: 6 }, { src: 12, tgt: 5 }, { src: 12, tgt: 12 }]);

  it('takes the smallest planned pair that holds it, and the grid when none does', () => {
    expect(plan.cover(5, 5)).toEqual({ src: 6, tgt: 6 });
    expect(plan.cover(7, 5)).toEqual({ src: 12, tgt: 5 });
    expect(plan.cover(7, 6)).toEqual({ src: 12, tgt: 12 });
    expect(plan.cover(13, 2)).toBeNull();
    const examples = [{ src: [4, 5, 6, 7, 8, 9], tgt: [4, 5] }, { src: [4], tgt: [4] }]; // exact 7 × 3
    expect(shapeUse(examples)).toEqual({ src: 7, tgt: 3, rows: 2 });
    expect(makeStepBatch(examples, specials, false, { batch: 1, length: 'ladder', shapes: plan }).bucket).toEqual({ batch: 2, srcLen: 12, tgtLen: 5 });
    const long = [{ src: Array.from({ length: 14 }, () => 4), tgt: [4] }];
    expect(makeStepBatch(long, specials, false, { batch: 1, length: 'ladder', shapes: plan }).bucket).toEqual({ batch: 1, srcLen: 16, tgtLen: 4 });
  });

  it('is what parley train plans unless PARLEY_ORT_GRID names a grid; PARLEY_ORT_SHAPES sets the budget', () => {
    const examples = Array.from({ length: 40 }, (_, k) => ({ src: Array.from({ length: 1 + k }, () => 4), tgt: Array.from({ length: 1 + (k % 7) }, () => 4) }));
    const batches = Array.from({ length: 20 }, (_, k) => [2 * k, 2 * k + 1]);
    expect(runGrid(examples, batches, {}).shapes!.pairs.length).toBe(20);
    expect(runGrid(examples, batches, { PARLEY_ORT_SHAPES: '5' }).shapes!.pairs.length).toBe(5);
    expect(runGrid(examples, batches, { PARLEY_ORT_GRID: '1x4' })).toEqual({ batch: 1, length: 4 });
    expect(() => runGrid(examples, batches, { PARLEY_ORT_SHAPES: 'many' })).toThrow(/PARLEY_ORT_SHAPES/);
  });
});
