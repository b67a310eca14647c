// Validation perplexity on the ORT engine (its loss graphs) against the tfjs pass parley eval uses,
// with dropout and label smoothing in the training options (neither may reach validation), and without
// moving the RNG that draws the run's dropout masks.
import { describe, expect, it } from 'vitest';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
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
