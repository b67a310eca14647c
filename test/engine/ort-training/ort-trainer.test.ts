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

const cases = [
  ['rnnsearch', 'in-place'],
  ['rnnsearch', 'double'],
  ['seq2seq-lstm', 'in-place'],
] as const;

describe.each(cases)('OrtTrainer, %s, state buffers %s', (preset, stateBuffers) => {
  it('takes the same steps as the tfjs Trainer, clipping included', async () => {
    const config = tinyConfig(preset, { vocabSize: 16 });
    const reference = new Seq2Seq(config);
    // A small clip norm so that clipping acts on every step; an inverse-sqrt warm-up moves the rate.
    const options = { learningRate: 0.01, clipNorm: 0.2, schedule: { kind: 'inverse-sqrt' as const, warmup: 2 } };
    const ortTrainer = OrtTrainer.fromModel(reference, { ...options, threads: 1, stateBuffers });
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

describe('OrtTrainer with dropout', () => {
  const config = tinyConfig('nrm-hybrid', { vocabSize: 16, dropout: 0.3 });
  const layered = { ...config, encoder: { ...config.encoder, layers: 2 }, decoder: { ...config.decoder, layers: 2 } };

  async function run(from: { rng: number; params?: Map<string, Float32Array>; m?: Map<string, Float32Array>; v?: Map<string, Float32Array>; step: number }, steps: number) {
    const model = new Seq2Seq(layered);
    const trainer = OrtTrainer.fromModel(model, { threads: 1, learningRate: 0.01 });
    model.dispose();
    trainer.rng.state = from.rng;
    if (from.params) trainer.restore({ params: from.params, m: from.m!, v: from.v!, step: from.step });
    const losses: number[] = [];
    for (let k = 0; k < steps; k++) {
      const examples = batches[trainer.step % batches.length]!;
      losses.push((await trainer.trainStep(makeStepBatch(examples, layered.specials, layered.reverseSource))).loss);
    }
    const copy = (m: Map<string, Float32Array>) => new Map([...m].map(([n, x]) => [n, Float32Array.from(x)]));
    const s = trainer.state();
    const out = { losses, rng: trainer.rng.state, params: copy(s.params), m: copy(s.m), v: copy(s.v), step: trainer.step };
    await trainer.dispose();
    return out;
  }

  it('draws masks from its seeded RNG: a run restored from a saved state continues the uninterrupted one exactly', async () => {
    const whole = await run({ rng: 5, step: 0 }, 4);
    const first = await run({ rng: 5, step: 0 }, 2);
    const rest = await run({ rng: first.rng, params: first.params, m: first.m, v: first.v, step: first.step }, 2);
    expect([...first.losses, ...rest.losses]).toEqual(whole.losses);
    const other = await run({ rng: 6, step: 0 }, 1);
    expect(other.losses[0]).not.toBe(whole.losses[0]); // the masks matter
  });
});

describe('OrtTrainer session cache', () => {
  it('releases the least recently used session past maxSessions and rebuilds it on return, same steps', async () => {
    const config = tinyConfig('rnnsearch', { vocabSize: 16 });
    const model = new Seq2Seq(config);
    const capped = OrtTrainer.fromModel(model, { threads: 1, maxSessions: 1 });
    const free = OrtTrainer.fromModel(model, { threads: 1 });
    model.dispose();
    for (let step = 0; step < 4; step++) {
      const batch = makeStepBatch(batches[step % 2]!, config.specials, config.reverseSource);
      expect((await capped.trainStep(batch)).loss).toBe((await free.trainStep(batch)).loss);
    }
    expect(capped.stats).toMatchObject({ sessions: 4, evicted: 3 });
    expect(free.stats).toMatchObject({ sessions: 2, evicted: 0 });
    await capped.dispose();
    await free.dispose();
  });

  it('keeps validation sessions in a cache of their own: validating never evicts the update graphs', async () => {
    const config = tinyConfig('rnnsearch', { vocabSize: 16 });
    const model = new Seq2Seq(config);
    const trainer = OrtTrainer.fromModel(model, { threads: 1, maxSessions: 2, maxEvalSessions: 1 });
    model.dispose();
    const [a, b] = [0, 1].map((i) => makeStepBatch(batches[i]!, config.specials, config.reverseSource));
    await trainer.trainStep(a!);
    await trainer.trainStep(b!);
    // Two validation shapes through a one-session eval cache: one eviction there, none among the updates.
    await trainer.lossSum(a!);
    await trainer.lossSum(b!);
    expect(trainer.stats).toMatchObject({ sessions: 4, evicted: 1 });
    await trainer.trainStep(a!);
    await trainer.trainStep(b!);
    expect(trainer.stats).toMatchObject({ sessions: 4, evicted: 1 });
    await trainer.dispose();
  });
});
