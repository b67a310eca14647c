// Validation perplexity on the ORT engine (its loss graphs) against the tfjs pass parley eval uses,
// with dropout and label smoothing in the training options (neither may reach validation), and without
// moving the RNG that draws the run's dropout masks.
import { describe, expect, it } from 'vitest';
import { decode } from '../../../engine/decoding/decode.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { TfjsStepModel } from '../../../engine/models/tfjs-step-model.ts';
import { measurePerplexity } from '../../../engine/pipeline/evaluate.ts';
import { ortEngine } from '../../../engine/ort-training/train-engine.ts';
import { Random } from '../../../engine/random.ts';
import type { Example } from '../../../engine/training/batch.ts';
import { Trainer } from '../../../engine/training/trainer.ts';
import { tinyConfig } from '../../helpers/tiny.ts';

const rng = new Random(5);
const examples: Example[] = Array.from({ length: 60 }, () => ({
  src: Array.from({ length: 1 + rng.int(9) }, () => 4 + rng.int(12)),
  tgt: Array.from({ length: 1 + rng.int(9) }, () => 4 + rng.int(12)),
}));

describe.each(['rnnsearch', 'seq2seq-lstm'] as const)('ORT validation perplexity, %s', (preset) => {
  it('equals the tfjs teacher-forced perplexity, takes no dropout or smoothing, and draws nothing from the RNG', async () => {
    const model = new Seq2Seq({ ...tinyConfig(preset, { vocabSize: 16 }), dropout: 0.3 });
    const trainer = new Trainer(model, { learningRate: 0.01, labelSmoothing: 0.1 });
    const engine = ortEngine(trainer, { threads: 1 });
    for (let k = 0; k < 3; k++) await engine.trainStep(examples.slice(10 * k, 10 * k + 10));
    engine.syncToTrainer();
    const want = measurePerplexity({ model }, examples);
    const step = engine.step;
    const before = trainer.rng.state;
    const got = await engine.perplexity!(examples);
    expect(got / want).toBeCloseTo(1, 5);
    expect(got).toBeGreaterThan(1);
    // The masks of the next step come from the same RNG position whether or not validation ran.
    engine.syncToTrainer();
    expect(trainer.rng.state).toEqual(before);
    expect(engine.step).toBe(step);
    await engine.dispose();
    trainer.dispose();
    model.dispose();
  });
});

describe.each(['rnnsearch', 'seq2seq-lstm'] as const)('ORT validation decoder, %s', (preset) => {
  it('decodes what the tfjs model decodes at the trained weights, greedy and beam', async () => {
    const model = new Seq2Seq({ ...tinyConfig(preset, { vocabSize: 16 }), dropout: 0.3 });
    const trainer = new Trainer(model, { learningRate: 0.03 });
    const engine = ortEngine(trainer, { threads: 1 });
    // A copy task, so that the trained model's outputs depend on the source.
    const copies = examples.map((e) => ({ src: e.src, tgt: e.src }));
    for (let k = 0; k < 30; k++) await engine.trainStep(copies.slice(10 * (k % 6), 10 * (k % 6) + 10));
    engine.syncToTrainer();
    const ort = await engine.validationStepModel!();
    const tfjs = new TfjsStepModel(model);
    for (const options of [{ strategy: 'greedy', maxLength: 12 }, { strategy: 'beam', beamSize: 3, maxLength: 12 }]) {
      const requests = examples.slice(0, 12).map((e) => ({ source: e.src, options }));
      const [want, got] = [await decode(tfjs, requests), await decode(ort, requests)];
      expect(got.map((r) => r.tokens)).toEqual(want.map((r) => r.tokens));
      got.forEach((r, i) => expect(r.score).toBeCloseTo(want[i]!.score, 4));
      // Trained to tell the sources apart: the comparison covers more than one output.
      expect(new Set(got.map((r) => r.tokens.join(','))).size).toBeGreaterThan(1);
    }
    await ort.dispose();
    await engine.dispose();
    trainer.dispose();
    model.dispose();
  });
});
