import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../engine/backend.ts';
import { modelConfig } from '../../../engine/config.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { TfjsStepModel } from '../../../engine/models/tfjs-step-model.ts';
import { Random } from '../../../engine/random.ts';
import { makeBatch, type Example } from '../../../engine/training/batch.ts';
import { Trainer } from '../../../engine/training/trainer.ts';

/** Greedy decoding of a batch, written out here so the test depends on nothing but the model. */
async function greedy(model: TfjsStepModel, sources: number[][], maxLength: number): Promise<number[][]> {
  let state = await model.encode(sources);
  let prev = new Int32Array(sources.length).fill(model.specials.bos);
  const out: number[][] = sources.map(() => []);
  const done = sources.map(() => false);
  for (let t = 0; t < maxLength && done.includes(false); t++) {
    const step = await model.step(prev, state);
    model.release(state);
    state = step.state;
    prev = new Int32Array(sources.length);
    for (let b = 0; b < sources.length; b++) {
      const row = step.logProbs.subarray(b * model.vocabSize, (b + 1) * model.vocabSize);
      const best = row.indexOf(Math.max(...row));
      prev[b] = best;
      if (best === model.specials.eos) done[b] = true;
      else if (!done[b]) out[b]!.push(best);
    }
  }
  model.release(state);
  return out;
}

describe('a tiny attention model learns to reverse sequences', () => {
  beforeAll(() => initBackend({ backend: 'wasm', quiet: true }));

  it('reaches at least 99% exact match on held-out sequences', async () => {
    const rng = new Random(7);
    const sample = (): Example => {
      const src = Array.from({ length: 3 + rng.int(5) }, () => 4 + rng.int(8));
      return { src, tgt: [...src].reverse() };
    };
    const config = modelConfig('rnnsearch', {
      vocabSize: 12, embedding: 16, dropout: 0,
      encoder: { hidden: 32 }, decoder: { hidden: 32 }, attention: { dim: 32 }, readout: { kind: 'tanh', dim: 32 },
    });
    const model = new Seq2Seq(config);
    const trainer = new Trainer(model, { learningRate: 0.01, clipNorm: 1, schedule: { kind: 'step-decay', start: 200, every: 50, factor: 0.5 } });
    for (let step = 0; step < 300; step++) {
      const batch = makeBatch(Array.from({ length: 32 }, sample), config.specials, false);
      trainer.trainStep(batch);
      batch.dispose();
    }
    const test = Array.from({ length: 200 }, sample);
    const predictions = await greedy(new TfjsStepModel(model), test.map((e) => e.src), 12);
    const exact = predictions.filter((p, i) => p.join() === test[i]!.tgt.join()).length / test.length;
    expect(exact).toBeGreaterThanOrEqual(0.99);
  });
});
