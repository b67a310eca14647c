// Padded tensors for a batch of (source, target) id pairs, for teacher-forced training:
// decoder input = BOS + target, decoder output = target + EOS, weight 1 at real output positions.
import * as tf from '@tensorflow/tfjs-core';
import type { SpecialIds } from '../decoding/step-model.ts';
import { prepareSources } from '../models/source.ts';

export interface Example {
  src: number[];
  tgt: number[];
}

export interface TensorBatch {
  src: tf.Tensor; // int32 [B, S]
  srcLengths: number[];
  tgtIn: tf.Tensor; // int32 [B, T]
  tgtOut: tf.Tensor; // int32 [B, T]
  tgtWeights: tf.Tensor; // float32 [B * T], 1 at real tokens
  /** Number of real target tokens (EOS included): the loss is averaged over these. */
  targetTokens: number;
  dispose(): void;
}

export function makeBatch(examples: Example[], specials: SpecialIds, reverseSource: boolean): TensorBatch {
  if (examples.length === 0) throw new Error('makeBatch: empty batch');
  const src = prepareSources(examples.map((e) => e.src), specials, reverseSource);
  const B = examples.length;
  const T = Math.max(...examples.map((e) => e.tgt.length)) + 1;
  const tgtIn = new Int32Array(B * T).fill(specials.pad);
  const tgtOut = new Int32Array(B * T).fill(specials.pad);
  const weights = new Float32Array(B * T);
  let targetTokens = 0;
  examples.forEach((e, b) => {
    tgtIn[b * T] = specials.bos;
    tgtIn.set(e.tgt, b * T + 1);
    tgtOut.set(e.tgt, b * T);
    tgtOut[b * T + e.tgt.length] = specials.eos;
    weights.fill(1, b * T, b * T + e.tgt.length + 1);
    targetTokens += e.tgt.length + 1;
  });
  const tensors = {
    src: tf.tensor2d(src.ids, [B, src.maxLength], 'int32'),
    tgtIn: tf.tensor2d(tgtIn, [B, T], 'int32'),
    tgtOut: tf.tensor2d(tgtOut, [B, T], 'int32'),
    tgtWeights: tf.tensor1d(weights),
  };
  return {
    ...tensors,
    srcLengths: src.lengths,
    targetTokens,
    dispose: () => Object.values(tensors).forEach((t) => t.dispose()),
  };
}
