// A batch of (source, target) pairs as the step graph's feeds: the same padding, BOS/EOS and
// reversal as training/batch.ts, plus the flat indices of the real target rows (the loss skips pads).
import type { SpecialIds } from '../decoding/step-model.ts';
import { prepareSources } from '../models/source.ts';
import type { Example } from '../training/batch.ts';
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

export function makeStepBatch(examples: Example[], specials: SpecialIds, reverseSource: boolean): StepBatch {
  if (examples.length === 0) throw new Error('makeStepBatch: empty batch');
  const src = prepareSources(examples.map((e) => e.src), specials, reverseSource);
  const B = examples.length;
  const S = src.maxLength;
  const T = Math.max(...examples.map((e) => e.tgt.length)) + 1;
  const srcMask = new Float32Array(B * S);
  src.lengths.forEach((len, b) => srcMask.fill(1, b * S, b * S + len));
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
    src: BigInt64Array.from(src.ids, (x) => BigInt(x)),
    srcMask,
    tgtIn,
    rows: BigInt64Array.from(rows),
    targets: BigInt64Array.from(targets),
    targetTokens: rows.length,
  };
}
