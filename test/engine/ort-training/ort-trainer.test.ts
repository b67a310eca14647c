// OrtTrainer's whole step (loss, clipping, Adam inside the graph, weights double-buffered) against the
// tfjs Trainer from the same initial weights: the same losses, norms and weights after several steps.
import { describe, expect, it } from 'vitest';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { OrtTrainer } from '../../../engine/ort-training/ort-trainer.ts';
import { makeStepBatch } from '../../../engine/ort-training/step-batch.ts';
import { makeBatch, type Example } from '../../../engine/training/batch.ts';
import { Trainer } from '../../../engine/training/trainer.ts';
import { expectClose } from '../../helpers/close.ts';
import { tinyConfig } from '../../helpers/tiny.ts';

const batches: Example[][] = [
  [
    { src: [4, 5, 6, 7], tgt: [7, 6, 5] },
    { src: [8, 9], tgt: [9, 8, 10, 11] },
    { src: [5], tgt: [5] },
  ],
  [
    { src: [10, 11, 12], tgt: [12, 4] },
    { src: [13, 4, 5], tgt: [6] },
  ],
];

describe('OrtTrainer', () => {
  it('takes the same steps as the tfjs Trainer, clipping included', async () => {
    const config = tinyConfig('rnnsearch', { vocabSize: 16 });
    const reference = new Seq2Seq(config);
    // A small clip norm so that clipping acts on every step; an inverse-sqrt warm-up moves the rate.
    const options = { learningRate: 0.01, clipNorm: 0.2, schedule: { kind: 'inverse-sqrt' as const, warmup: 2 } };
    const ortTrainer = OrtTrainer.fromModel(reference, { ...options, threads: 1 });
    const tfjsTrainer = new Trainer(reference, options);
    for (let step = 0; step < 4; step++) {
      const examples = batches[step % batches.length]!;
      const tb = makeBatch(examples, config.specials, config.reverseSource);
      const want = tfjsTrainer.trainStep(tb);
      tb.dispose();
      const got = await ortTrainer.trainStep(makeStepBatch(examples, config.specials, config.reverseSource));
      expect(got.step).toBe(want.step);
      expect(got.learningRate).toBe(want.learningRate);
      expect(got.targetTokens).toBe(want.targetTokens);
      expect(got.loss).toBeCloseTo(want.loss, 5);
      expect(got.gradNorm / want.gradNorm).toBeCloseTo(1, 4);
      expect(want.gradNorm).toBeGreaterThan(0.2);
    }
    const { params, m, v } = ortTrainer.state();
    for (const [name, p] of reference.params.entries()) {
      expectClose(params.get(name)!, p.dataSync() as Float32Array, 1e-4, 1e-6);
      expectClose(m.get(name)!, tfjsTrainer.optimizer.m.get(name)!.dataSync() as Float32Array, 1e-3, 1e-7);
      expectClose(v.get(name)!, tfjsTrainer.optimizer.v.get(name)!.dataSync() as Float32Array, 1e-3, 1e-9);
    }
    expect(ortTrainer.stats.sessions).toBe(2); // one per bucket shape
    await ortTrainer.dispose();
    tfjsTrainer.dispose();
    reference.dispose();
  });
});
