import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { presets } from '../../../engine/config.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { TfjsStepModel } from '../../../engine/models/tfjs-step-model.ts';
import { makeBatch, type Example } from '../../../engine/training/batch.ts';
import { Trainer } from '../../../engine/training/trainer.ts';
import { expectClose } from '../../helpers/close.ts';
import { tinyConfig } from '../../helpers/tiny.ts';

const examples: Example[] = [
  { src: [4, 5, 6, 7], tgt: [7, 6, 5] },
  { src: [8, 9], tgt: [9, 8, 10, 11] },
  { src: [5], tgt: [5] },
];

describe.each(presets)('preset %s', (preset) => {
  it('gives the same log-probabilities teacher-forced and step by step', async () => {
    const model = new Seq2Seq(tinyConfig(preset));
    const batch = makeBatch(examples, model.config.specials, model.config.reverseSource);
    const [B, T] = batch.tgtIn.shape as [number, number];
    const forced = tf.logSoftmax(model.forward(batch, null)).arraySync() as number[][]; // [B*T, V]
    const stepper = new TfjsStepModel(model);
    let state = await stepper.encode(examples.map((e) => e.src));
    const tgtIn = batch.tgtIn.arraySync() as number[][];
    for (let t = 0; t < T; t++) {
      const out = await stepper.step(Int32Array.from(tgtIn.map((row) => row[t]!)), state);
      stepper.release(state);
      state = out.state;
      for (let b = 0; b < B; b++) {
        expectClose(out.logProbs.subarray(b * 12, (b + 1) * 12), forced[b * T + t]!, 1e-4, 1e-5);
      }
    }
    stepper.release(state);
  });

  it('learns: the loss on a fixed batch falls', () => {
    const model = new Seq2Seq(tinyConfig(preset));
    const trainer = new Trainer(model, { learningRate: 0.02 });
    const batch = makeBatch(examples, model.config.specials, model.config.reverseSource);
    const first = trainer.trainStep(batch).loss;
    let last = first;
    for (let i = 0; i < 40; i++) last = trainer.trainStep(batch).loss;
    expect(last).toBeLessThan(first * 0.5);
  });

  it('leaks no tensors while encoding, stepping, reordering and concatenating', async () => {
    const model = new Seq2Seq(tinyConfig(preset));
    const stepper = new TfjsStepModel(model);
    const before = tf.memory().numTensors;
    const a = await stepper.encode([[4, 5, 6]]);
    const b = await stepper.encode([[7], [8, 9, 10, 11]]);
    const both = stepper.concat([a, b]);
    const out = await stepper.step(Int32Array.from([2, 2, 2]), both);
    const beams = stepper.reorder(out.state, [0, 0, 2, 1]);
    const lm = await stepper.encodeUnconditional!(2);
    const lmOut = await stepper.step(Int32Array.from([2, 2]), lm);
    for (const s of [a, b, both, out.state, beams, lm, lmOut.state]) stepper.release(s);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('batch operations on decoder states', () => {
  it('a concatenated, reordered state steps exactly like its parts', async () => {
    const model = new Seq2Seq(tinyConfig('rnnsearch'));
    const stepper = new TfjsStepModel(model);
    const a = await stepper.encode([[4, 5, 6, 7, 8]]);
    const b = await stepper.encode([[9], [10, 11]]);
    const joined = stepper.reorder(stepper.concat([a, b]), [2, 0, 1]);
    const outJoined = await stepper.step(Int32Array.from([3, 4, 5]), joined);
    const outA = await stepper.step(Int32Array.from([4]), a);
    const outB = await stepper.step(Int32Array.from([5, 3]), b);
    const V = stepper.vocabSize;
    expectClose(outJoined.logProbs.subarray(0, V), outB.logProbs.subarray(V, 2 * V), 1e-5);
    expectClose(outJoined.logProbs.subarray(V, 2 * V), outA.logProbs, 1e-5);
    expectClose(outJoined.logProbs.subarray(2 * V), outB.logProbs.subarray(0, V), 1e-5);
    expect(stepper.sourceLengths(joined)).toEqual([3, 6, 2]);
    // Attention columns beyond a row's own source are padding and get no weight.
    const S = outJoined.attention!.length / 3;
    expect(Array.from(outJoined.attention!.subarray(2 * S + 2, 3 * S)).every((w) => w === 0)).toBe(true);
  });
});
