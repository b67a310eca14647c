import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../engine/backend.ts';
import { maskedCrossEntropy } from '../../../engine/training/loss.ts';
import { expectClose } from '../../helpers/close.ts';
import { loadReference } from '../../helpers/reference.ts';

interface LossReference {
  logits: number[][][]; // [B, T, V]
  targets: number[][]; // [B, T]
  tgt_len: number[];
  loss: number;
  grad_logits: number[][][];
}

function weightsFromLengths(lengths: number[], time: number): tf.Tensor {
  return tf.tensor1d(lengths.flatMap((len) => Array.from({ length: time }, (_, t) => (t < len ? 1 : 0))));
}

describe('masked cross-entropy against PyTorch', () => {
  const ref = loadReference<LossReference>('masked_cross_entropy');
  const [B, T, V] = [ref.logits.length, ref.logits[0]!.length, ref.logits[0]![0]!.length];
  const logits = tf.tensor3d(ref.logits);
  const targets = tf.tensor2d(ref.targets, [B, T], 'int32');
  const weights = weightsFromLengths(ref.tgt_len, T);

  it('matches the loss and the gradient of the logits', () => {
    const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => maskedCrossEntropy(tf.reshape(x, [B * T, V]), targets, weights))([logits]);
    expectClose(value.dataSync(), [ref.loss]);
    expectClose(grads[0]!.arraySync() as number[][][], ref.grad_logits, 1e-4, 1e-7);
  });
});

describe('masked cross-entropy with label smoothing', () => {
  // tfjs' own (unfused) loss is the reference for smoothing, which the PyTorch fixture does not cover.
  const [N, V] = [12, 7];
  const logits = tf.randomNormal([N, V], 0, 2, 'float32', 3);
  const targetIds = Array.from({ length: N }, (_, i) => (i * 5) % V);
  const targets = tf.tensor1d(targetIds, 'int32');
  const weights = tf.tensor1d(Array.from({ length: N }, (_, i) => (i % 4 === 3 ? 0 : 1)));

  it.each([0, 0.1, 0.3])('equals tfjs softmaxCrossEntropy (SUM_BY_NONZERO_WEIGHTS) at smoothing %s', (eps) => {
    const unfused = (x: tf.Tensor) =>
      tf.losses.softmaxCrossEntropy(tf.oneHot(targets, V), x, weights, eps, tf.Reduction.SUM_BY_NONZERO_WEIGHTS) as tf.Scalar;
    const fused = tf.valueAndGrads((x: tf.Tensor) => maskedCrossEntropy(x, targets, weights, eps))([logits]);
    const expected = tf.valueAndGrads(unfused)([logits]);
    expectClose(fused.value.dataSync(), expected.value.dataSync(), 1e-5);
    expectClose(fused.grads[0]!.dataSync(), expected.grads[0]!.dataSync(), 1e-4, 1e-7);
  });

  it('gives zero gradient to padded rows and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => maskedCrossEntropy(x, targets, weights, 0.1))(logits));
    const rows = grad.arraySync() as number[][];
    rows.forEach((row, i) => {
      if (i % 4 === 3) expect(row.every((g) => g === 0)).toBe(true);
      else expect(row.some((g) => g !== 0)).toBe(true);
    });
    grad.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('masked cross-entropy on wasm', () => {
  it('gives the same loss and gradient as on cpu (the exp over the logits on the native route)', async () => {
    const [N, V] = [9, 4000]; // above the native route's minimum size
    const run = () => {
      const logits = tf.randomNormal([N, V], 0, 3, 'float32', 5);
      const targets = tf.tensor1d(Array.from({ length: N }, (_, i) => (i * 7) % V), 'int32');
      const weights = tf.tensor1d(Array.from({ length: N }, (_, i) => (i < 7 ? 1 : 0)));
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => maskedCrossEntropy(x, targets, weights, 0.1))([logits]);
      return [value.dataSync()[0]!, Array.from(grads[0]!.dataSync())] as const;
    };
    const [cpuLoss, cpuGrad] = run();
    await initBackend({ backend: 'wasm', quiet: true });
    expect(tf.getBackend()).toBe('wasm');
    const [wasmLoss, wasmGrad] = run();
    expectClose([wasmLoss], [cpuLoss], 1e-6);
    expectClose(wasmGrad, cpuGrad, 1e-5, 1e-8);
  });
});
