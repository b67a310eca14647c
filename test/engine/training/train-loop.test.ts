import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { planBatches } from '../../../engine/pipeline/batches.ts';
import type { Example } from '../../../engine/training/batch.ts';
import {
  trainLoop,
  type StepEngine,
  type StepLog,
  type TrainLoopCallbacks,
  type TrainLoopOptions,
  type TrainPosition,
} from '../../../engine/training/train-loop.ts';

// 40 examples of varied lengths: at 24 padded tokens a batch, an epoch is 10 to 20 batches.
const examples: Example[] = Array.from({ length: 40 }, (_, i) => ({ src: new Array(1 + (i * 5) % 7).fill(4), tgt: new Array(1 + (i * 3) % 5).fill(5) }));
const SEED = 3;
const BATCH_TOKENS = 24;
const batchesOf = (epoch: number) => planBatches(examples, { batchTokens: BATCH_TOKENS, seed: SEED, epoch });

/** A step engine that trains on nothing: it records the example indices of each batch and takes `stepMs` of (fake) time. */
class FakeEngine implements StepEngine {
  readonly seen: number[][] = [];
  constructor(public step = 0, private readonly stepMs = 0) {}
  async trainStep(batch: Example[]) {
    vi.advanceTimersByTime(this.stepMs);
    this.seen.push(batch.map((e) => examples.indexOf(e)));
    this.step++;
    return { step: this.step, loss: 1 / this.step, gradNorm: 1, learningRate: 1e-3, targetTokens: batch.reduce((s, e) => s + e.tgt.length + 1, 0) };
  }
}

interface Recorded {
  logs: StepLog[];
  validations: number[];
  best: number[];
  checkpoints: (TrainPosition & { step: number })[];
  stops: string[];
}

/** Callbacks that record what the loop asked for; validation perplexities come from `perplexities` in turn. */
function recorder(engine: StepEngine, perplexities: number[] | null): { callbacks: TrainLoopCallbacks<{ perplexity: number }>; rec: Recorded } {
  const rec: Recorded = { logs: [], validations: [], best: [], checkpoints: [], stops: [] };
  let next = 0;
  return {
    rec,
    callbacks: {
      onLog: (e) => rec.logs.push(e),
      validate: async (step) => {
        if (perplexities === null) return null;
        rec.validations.push(step);
        return { perplexity: perplexities[Math.min(next++, perplexities.length - 1)]! };
      },
      onBest: async (step) => void rec.best.push(step),
      checkpoint: async (pos) => void rec.checkpoints.push({ ...pos, step: engine.step }),
      onStop: (reason) => void rec.stops.push(reason),
    },
  };
}

function options(engine: StepEngine, callbacks: TrainLoopCallbacks<{ perplexity: number }>, extra: Partial<TrainLoopOptions<{ perplexity: number }>>): TrainLoopOptions<{ perplexity: number }> {
  return { engine, examples, batchTokens: BATCH_TOKENS, seed: SEED, logEvery: 5, validEvery: 1000, checkpointEvery: 1000, patience: 3, callbacks, ...extra };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('trainLoop', () => {
  it('trains every planned batch of each epoch in order and stops at the epoch budget', async () => {
    const engine = new FakeEngine();
    const { callbacks, rec } = recorder(engine, null);
    const result = await trainLoop(options(engine, callbacks, { epochs: 2 }));
    expect(engine.seen).toEqual([...batchesOf(0), ...batchesOf(1)]);
    expect(result.stopped).toBe('epochs');
    expect(result.position).toMatchObject({ epoch: 2, batchIndex: 0 });
    expect(result.position.tokens).toBe(2 * examples.reduce((s, e) => s + e.tgt.length + 1, 0));
    expect(rec.stops).toEqual(['epochs']);
    // Only the final checkpoint: checkpointEvery was never reached.
    expect(rec.checkpoints.map((c) => c.step)).toEqual([engine.step]);
  });

  it('logs step 1 and every logEvery-th step, with tokens per second since the last logged step', async () => {
    const engine = new FakeEngine(0, 100);
    const { callbacks, rec } = recorder(engine, null);
    await trainLoop(options(engine, callbacks, { steps: 12, logEvery: 5 }));
    expect(rec.logs.map((l) => l.step)).toEqual([1, 5, 10]);
    const tokens = (from: number, to: number) => engine.seen.slice(from, to).flat().reduce((s, i) => s + examples[i]!.tgt.length + 1, 0);
    // Steps 6..10 took 5 × 100 ms of fake time.
    expect(rec.logs[2]!.tokensPerSecond).toBeCloseTo(tokens(5, 10) / 0.5, 6);
    expect(rec.logs[2]!.elapsedMs).toBe(1000);
    expect(rec.logs[2]!.loss).toBe(1 / 10);
  });

  it('stops after `patience` validations without a new best, keeping the best one', async () => {
    const engine = new FakeEngine();
    const { callbacks, rec } = recorder(engine, [10, 8, 9, 8.5, 8, 7]);
    const result = await trainLoop(options(engine, callbacks, { validEvery: 4, patience: 3, epochs: 100 }));
    // 10 then 8 are bests; 9, 8.5 and 8 (not below 8) are three bad validations in a row.
    expect(rec.validations).toEqual([4, 8, 12, 16, 20]);
    expect(rec.best).toEqual([4, 8]);
    expect(result.stopped).toBe('patience');
    expect(engine.step).toBe(20);
    expect(result.position).toMatchObject({ bestScore: -8, badValidations: 3 });
    // A checkpoint at the stopping step, and the final one (no extra validation: step 20 was validated).
    expect(rec.checkpoints.map((c) => c.step)).toEqual([20, 20]);
  });

  it('keeps the best by the score it is given, which perplexity need not follow', async () => {
    const engine = new FakeEngine();
    // Perplexity falls all along; the F1 peaks at the second validation and never comes back.
    const f1s = [40, 50, 45, 44, 43];
    let next = 0;
    const best: number[] = [];
    const result = await trainLoop<{ perplexity: number; f1: number }>({
      engine, examples, batchTokens: BATCH_TOKENS, seed: SEED, logEvery: 5, validEvery: 4, checkpointEvery: 1000, patience: 3, epochs: 100,
      score: (v) => v.f1,
      callbacks: {
        validate: async () => ({ perplexity: 10 - next, f1: f1s[next++]! }),
        onBest: async (step) => void best.push(step),
        checkpoint: async () => {},
      },
    });
    expect(best).toEqual([4, 8]);
    expect(result.stopped).toBe('patience');
    expect(engine.step).toBe(20);
    expect(result.position).toMatchObject({ bestScore: 50, badValidations: 3 });
  });

  it('stops with a clear error when a validation has no score to select by, after a checkpoint', async () => {
    const engine = new FakeEngine();
    const checkpoints: number[] = [];
    await expect(trainLoop<{ perplexity: number; f1?: number }>({
      engine, examples, batchTokens: BATCH_TOKENS, seed: SEED, logEvery: 5, validEvery: 4, checkpointEvery: 1000, patience: 3, epochs: 100,
      score: (v) => v.f1 ?? Number.NaN,
      callbacks: { validate: async () => ({ perplexity: 3 }), checkpoint: async () => void checkpoints.push(engine.step) },
    })).rejects.toThrow(/step 4 gave no finite score to select the best model by \(NaN\); checkpoint written at step 4/);
    // The four steps trained survive the error: --resume continues from them once the cause is fixed.
    expect(checkpoints).toEqual([4]);
  });

  it('keeps the last checkpoint as it was when validation finds the weights diverged', async () => {
    const engine = new FakeEngine();
    const checkpoints: number[] = [];
    await expect(trainLoop({
      engine, examples, batchTokens: BATCH_TOKENS, seed: SEED, logEvery: 5, validEvery: 4, checkpointEvery: 2, patience: 3, epochs: 100,
      callbacks: { validate: async (step) => ({ perplexity: step < 8 ? 3 : Number.NaN }), checkpoint: async () => void checkpoints.push(engine.step) },
    })).rejects.toThrow(/step 8 gave no finite score .*; the weights diverged, so the last checkpoint is kept as it was/);
    // Checkpoints every 2 steps up to 6; step 8's diverged weights are never written.
    expect(checkpoints).toEqual([2, 4, 6]);
  });

  it('resets the bad-validation count at a new best', async () => {
    const engine = new FakeEngine();
    const { callbacks, rec } = recorder(engine, [10, 11, 12, 9, 13, 14, 15]);
    const result = await trainLoop(options(engine, callbacks, { validEvery: 2, patience: 3, epochs: 100 }));
    expect(rec.best).toEqual([2, 8]);
    expect(rec.validations).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(result.stopped).toBe('patience');
  });

  it('stops mid-epoch at the step budget and checkpoints the position there', async () => {
    const engine = new FakeEngine();
    const { callbacks, rec } = recorder(engine, null);
    expect(batchesOf(0).length).toBeGreaterThan(7);
    const result = await trainLoop(options(engine, callbacks, { steps: 7, checkpointEvery: 5 }));
    expect(result.stopped).toBe('steps');
    expect(engine.seen).toEqual(batchesOf(0).slice(0, 7));
    expect(rec.checkpoints.map((c) => [c.step, c.epoch, c.batchIndex])).toEqual([[5, 0, 5], [7, 0, 7], [7, 0, 7]]);
  });

  it('validates once more at the end when the last step was not a validation step', async () => {
    const engine = new FakeEngine();
    const { callbacks, rec } = recorder(engine, [5, 4]);
    await trainLoop(options(engine, callbacks, { steps: 7, validEvery: 5 }));
    expect(rec.validations).toEqual([5, 7]);
    expect(rec.best).toEqual([5, 7]);
  });

  it('resumed from a checkpoint, continues the batch order where it stopped, across epochs', async () => {
    const whole = new FakeEngine();
    await trainLoop(options(whole, recorder(whole, null).callbacks, { steps: 30 }));

    const first = new FakeEngine();
    const a = recorder(first, null);
    await trainLoop(options(first, a.callbacks, { steps: 13 }));
    const saved = a.rec.checkpoints.at(-1)!;
    const { step, ...position } = saved;
    const resumed = new FakeEngine(step);
    await trainLoop(options(resumed, recorder(resumed, null).callbacks, { steps: 30, position }));

    expect(batchesOf(0).length).toBeLessThan(30);
    expect([...first.seen, ...resumed.seen]).toEqual(whole.seen);
  });

  it('counts the checkpointed elapsed time toward the time budget after a resume', async () => {
    const engine = new FakeEngine(0, 100);
    const { callbacks, rec } = recorder(engine, null);
    const result = await trainLoop(options(engine, callbacks, { timeBudgetMs: 350 }));
    expect(result.stopped).toBe('time-budget');
    expect(engine.step).toBe(4);
    expect(rec.checkpoints.at(-1)!.elapsedMs).toBe(400);

    const { step, ...position } = rec.checkpoints.at(-1)!;
    const resumed = new FakeEngine(step, 100);
    const again = await trainLoop(options(resumed, recorder(resumed, null).callbacks, { timeBudgetMs: 600, position }));
    expect(again.stopped).toBe('time-budget');
    expect(resumed.step).toBe(6);
    expect(again.elapsedMs).toBe(600);
  });

  it('takes no step when a resumed run has already spent its step budget', async () => {
    const engine = new FakeEngine(10);
    const { callbacks, rec } = recorder(engine, [3]);
    const position: TrainPosition = { epoch: 0, batchIndex: 10, orderSeed: 0, bestScore: -4, badValidations: 0, elapsedMs: 50, tokens: 99 };
    const result = await trainLoop(options(engine, callbacks, { steps: 10, validEvery: 4, position }));
    expect(engine.seen).toEqual([]);
    expect(result.stopped).toBe('steps');
    // Step 10 was not a validation step, so the end validates; 3 beats the saved best 4.
    expect(rec.best).toEqual([10]);
    expect(rec.checkpoints).toEqual([{ ...position, bestScore: -3, step: 10 }]);
  });
});
