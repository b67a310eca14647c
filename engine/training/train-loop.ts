// The training loop: epochs over length-bucketed batches in a seeded order, validation every N steps
// keeping the best by the run's score (perplexity unless told otherwise), early stopping by patience, step/epoch/time budgets and periodic
// checkpoints that record the data position, so a resumed run takes exactly the batches it had left.
import { epochSeed, planBatches } from '../pipeline/batches.ts';
import type { Example } from './batch.ts';
import type { StepReport } from './trainer.ts';

/** Where in the data a run stands and its bookkeeping: what a checkpoint saves beside the trainer. */
export interface TrainPosition {
  epoch: number;
  /** Batches of this epoch already trained on. */
  batchIndex: number;
  orderSeed: number;
  /** The best validation's score so far, higher is better (−perplexity unless TrainLoopOptions.score says otherwise). */
  bestScore: number | null;
  badValidations: number;
  elapsedMs: number;
  tokens: number;
}

export type StopReason = 'steps' | 'epochs' | 'time-budget' | 'patience';

/** The part of a training engine the loop drives (TrainEngine in ort-training is one). */
export interface StepEngine {
  /** Steps taken so far (a resumed engine starts at its checkpoint's). */
  readonly step: number;
  trainStep(examples: Example[]): Promise<StepReport>;
}

/** A logged step: the step's report with the throughput since the last logged step. */
export interface StepLog extends Omit<StepReport, 'targetTokens'> {
  tokensPerSecond: number;
  elapsedMs: number;
}

export interface TrainLoopCallbacks<V extends { perplexity: number }> {
  /** Every logEvery-th step and step 1. */
  onLog?(entry: StepLog): void;
  /** Validates the current model; null when there is nothing to validate on. */
  validate(step: number): Promise<V | null>;
  /** A validation beat the best score so far (the caller saves the model). */
  onBest?(step: number, result: V): Promise<void>;
  /** Saves a resumable checkpoint; `position` is the loop's own and is read at once. */
  checkpoint(position: TrainPosition): Promise<void>;
  /** The steps are over, before the final validation and checkpoint. */
  onStop?(reason: StopReason): void;
}

export interface TrainLoopOptions<V extends { perplexity: number }> {
  engine: StepEngine;
  examples: readonly Example[];
  /** Padded tokens per batch and the order's seed (see planBatches). */
  batchTokens: number;
  seed: number;
  /** Budgets: the run stops at the first reached; with none, it runs until patience runs out. */
  steps?: number;
  epochs?: number;
  timeBudgetMs?: number;
  logEvery: number;
  validEvery: number;
  checkpointEvery: number;
  /** Validations without a new best before stopping. */
  patience: number;
  /**
   * What makes a validation the best, higher is better (default: the lower perplexity). A parser's or a
   * translator's perplexity can keep falling after its F1 or BLEU has peaked (issue 14: parse-en's F1
   * went 42.1 → 49.5 → 35.9 at steps 1,200 / 1,600 / 2,000 while the best perplexity stayed at 1,200).
   */
  score?: (result: V) => number;
  /** Where a resumed run stands (default: the start). */
  position?: TrainPosition;
  callbacks: TrainLoopCallbacks<V>;
}

export interface TrainLoopResult {
  stopped: StopReason;
  position: TrainPosition;
  elapsedMs: number;
}

export const startPosition = (seed: number): TrainPosition => ({
  epoch: 0, batchIndex: 0, orderSeed: seed, bestScore: null, badValidations: 0, elapsedMs: 0, tokens: 0,
});

export async function trainLoop<V extends { perplexity: number }>(o: TrainLoopOptions<V>): Promise<TrainLoopResult> {
  const { engine, examples, callbacks: cb } = o;
  const pos: TrainPosition = { ...(o.position ?? startPosition(o.seed)) };
  const started = Date.now() - pos.elapsedMs;
  const elapsed = () => Date.now() - started;
  let windowStart = Date.now();
  let windowTokens = 0;
  const budgetSpent = (): StopReason | null =>
    o.steps !== undefined && engine.step >= o.steps ? 'steps'
      : o.timeBudgetMs !== undefined && elapsed() >= o.timeBudgetMs ? 'time-budget'
        : null;

  const scoreOf = o.score ?? ((v: V) => -v.perplexity);
  const validate = async (): Promise<StopReason | null> => {
    const step = engine.step;
    const result = await cb.validate(step);
    if (result === null) return null;
    const score = scoreOf(result);
    if (!Number.isFinite(score)) {
      // The steps since the last checkpoint survive the error for --resume once its cause is fixed, unless
      // the weights themselves diverged (no finite perplexity): those must not overwrite a good checkpoint.
      const diverged = !Number.isFinite(result.perplexity);
      if (!diverged) await checkpoint();
      throw new Error(`validation at step ${step} gave no finite score to select the best model by (${score})${diverged ? '; the weights diverged, so the last checkpoint is kept as it was' : `; checkpoint written at step ${step}`}`);
    }
    if (pos.bestScore === null || score > pos.bestScore) {
      pos.bestScore = score;
      pos.badValidations = 0;
      await cb.onBest?.(step, result);
      return null;
    }
    return ++pos.badValidations >= o.patience ? 'patience' : null;
  };
  const checkpoint = async (): Promise<void> => {
    pos.elapsedMs = elapsed();
    await cb.checkpoint({ ...pos });
  };

  // A resumed run whose budget is already spent (e.g. --resume --steps N to finish early) takes no step.
  let stopped = budgetSpent();
  while (stopped === null) {
    if (o.epochs !== undefined && pos.epoch >= o.epochs) {
      stopped = 'epochs';
      break;
    }
    pos.orderSeed = epochSeed(o.seed, pos.epoch);
    const batches = planBatches(examples, { batchTokens: o.batchTokens, seed: o.seed, epoch: pos.epoch });
    while (pos.batchIndex < batches.length && stopped === null) {
      const report = await engine.trainStep(batches[pos.batchIndex]!.map((i) => examples[i]!));
      pos.batchIndex++;
      pos.tokens += report.targetTokens;
      windowTokens += report.targetTokens;
      const { step } = report;
      if (step % o.logEvery === 0 || step === 1) {
        const now = Date.now();
        const tokensPerSecond = windowTokens / Math.max(1e-3, (now - windowStart) / 1000);
        cb.onLog?.({ step, loss: report.loss, learningRate: report.learningRate, gradNorm: report.gradNorm, tokensPerSecond, elapsedMs: elapsed() });
        windowStart = now;
        windowTokens = 0;
      }
      if (step % o.validEvery === 0) stopped = await validate();
      stopped = stopped ?? budgetSpent();
      if (step % o.checkpointEvery === 0 || stopped !== null) await checkpoint();
    }
    if (pos.batchIndex >= batches.length) {
      pos.epoch++;
      pos.batchIndex = 0;
    }
  }
  let reason: StopReason = stopped;
  cb.onStop?.(reason);
  // The steps since the last validation may hold the best model (and a short run may have none yet).
  if (engine.step % o.validEvery !== 0) reason = (await validate()) ?? reason;
  await checkpoint();
  return { stopped: reason, position: { ...pos }, elapsedMs: elapsed() };
}
