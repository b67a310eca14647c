// A batch of (source, target) pairs as the step graph's feeds: the same padding, BOS/EOS and
// reversal as training/batch.ts, plus the flat indices of the real target rows (the loss skips pads).
import type { SpecialIds } from '../decoding/step-model.ts';
import { prepareSources } from '../models/source.ts';
import type { Example } from '../training/batch.ts';
import type { ShapePlan, ShapeUse } from './shape-plan.ts';
import type { BucketShape } from './step-graph.ts';

export interface StepBatch {
  bucket: BucketShape;
  src: BigInt64Array; // [B * S]
  srcMask: Float32Array; // [B * S]
  tgtIn: BigInt64Array; // [B * T]
  rows: BigInt64Array; // [N]
  targets: BigInt64Array; // [N]
  /** Number of real target tokens (EOS included), N. */
  targetTokens: number;
}

/**
 * Round a batch's shape up to a grid, so that a corpus needs few step graphs (one session each). The
 * extra rows and columns are padding: masked in the encoder and attention, and no loss row reads them,
 * so the loss and gradients are those of the unpadded batch.
 */
export interface BucketGrid {
  batch: number;
  length: LengthGrid;
  /** Planned (source, target) lengths: a batch takes the smallest that holds it, else the grid's. */
  shapes?: ShapePlan;
}

/**
 * A length rounds up to a multiple of a fixed step, or to the `ladder`: multiples of 4 up to 32, then
 * steps of an eighth of the next power of two (40, 48, … 64, 80, … 128, 160, …), so long sequences,
 * which are rare and costly to build graphs for, share few shapes at ≤ 25% padding.
 */
export type LengthGrid = number | 'ladder';

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

export function roundLength(n: number, grid: LengthGrid): number {
  if (grid !== 'ladder') return roundUp(n, grid);
  return roundUp(n, Math.max(4, 2 ** Math.ceil(Math.log2(Math.max(n, 1))) / 8));
}

export function makeStepBatch(examples: Example[], specials: SpecialIds, reverseSource: boolean, grid: BucketGrid = { batch: 1, length: 1 }): StepBatch {
  if (examples.length === 0) throw new Error('makeStepBatch: empty batch');
  const src = prepareSources(examples.map((e) => e.src), specials, reverseSource);
  const B = roundUp(examples.length, grid.batch);
  const exactT = Math.max(...examples.map((e) => e.tgt.length)) + 1;
  const planned = grid.shapes?.cover(src.maxLength, exactT);
  const S = planned?.src ?? roundLength(src.maxLength, grid.length);
  const T = planned?.tgt ?? roundLength(exactT, grid.length);
  const srcMask = new Float32Array(B * S);
  const srcIds = new BigInt64Array(B * S).fill(BigInt(specials.pad));
  src.lengths.forEach((len, b) => {
    srcMask.fill(1, b * S, b * S + len);
    for (let j = 0; j < len; j++) srcIds[b * S + j] = BigInt(src.ids[b * src.maxLength + j]!);
  });
  const tgtIn = new BigInt64Array(B * T).fill(BigInt(specials.pad));
  const rows: bigint[] = [];
  const targets: bigint[] = [];
  examples.forEach((e, b) => {
    tgtIn[b * T] = BigInt(specials.bos);
    e.tgt.forEach((id, t) => (tgtIn[b * T + t + 1] = BigInt(id)));
    [...e.tgt, specials.eos].forEach((id, t) => {
      rows.push(BigInt(b * T + t));
      targets.push(BigInt(id));
    });
  });
  return {
    bucket: { batch: B, srcLen: S, tgtLen: T },
    src: srcIds,
    srcMask,
    tgtIn,
    rows: BigInt64Array.from(rows),
    targets: BigInt64Array.from(targets),
    targetTokens: rows.length,
  };
}

/** A batch's exact step-graph lengths (source with EOS, target with BOS) and rows, for planShapes. */
export function shapeUse(examples: readonly Example[]): ShapeUse {
  return { src: Math.max(1, ...examples.map((e) => e.src.length + 1)), tgt: Math.max(...examples.map((e) => e.tgt.length)) + 1, rows: examples.length };
}
