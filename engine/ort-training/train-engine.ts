// The step engine behind `parley train`: tfjs (the reference) or ONNX Runtime. Either way the tfjs
// Trainer stays the record a checkpoint saves and validation decodes with: the ORT engine copies its
// weights, Adam moments, step and RNG state into it before each of those (and back after a resume), so
// checkpoints, weights and logs are the same files whichever engine wrote them.
import * as tf from '@tensorflow/tfjs-core';
import { parseThreadsEnv, type BackendName } from '../backend.ts';
import type { StepModel } from '../decoding/step-model.ts';
import { buildOnnxGraphs } from '../onnx/export-graphs.ts';
import { OrtStepModel } from '../onnx/ort-step-model.ts';
import { PerplexityMeter } from '../metrics/perplexity.ts';
import { planBatches } from '../pipeline/batches.ts';
import { PERPLEXITY_BATCH_TOKENS } from '../pipeline/evaluate.ts';
import { makeBatch, type Example } from '../training/batch.ts';
import type { StepReport, Trainer } from '../training/trainer.ts';
import { OrtTrainer, type OrtTrainerOptions } from './ort-trainer.ts';
import { DEFAULT_SHAPE_BUDGET, planShapes } from './shape-plan.ts';
import { makeStepBatch, shapeUse, type BucketGrid } from './step-batch.ts';

export type EngineName = 'onnxruntime' | 'tfjs';
export const engineNames: readonly EngineName[] = ['onnxruntime', 'tfjs'];

export interface TrainEngine {
  readonly name: EngineName;
  readonly step: number;
  trainStep(examples: Example[]): Promise<StepReport>;
  /** Bring the tfjs Trainer up to date (before validating, saving or checkpointing). */
  syncToTrainer(): void;
  /** Take the tfjs Trainer's state (after it was loaded from a checkpoint). */
  syncFromTrainer(): void;
  /**
   * Validation perplexity of `examples` at the current weights, where the engine computes it itself
   * (ORT: its loss graphs, ~4× faster than tfjs-wasm's teacher-forced pass); absent otherwise.
   */
  perplexity?(examples: readonly Example[]): Promise<number>;
  /**
   * A StepModel of the tfjs Trainer's current weights (call syncToTrainer first) for validation's
   * decodes, where the engine has a faster one (ORT: inference graphs built from the weights, as the
   * server's export, decoding 4–7× faster than tfjs-wasm); absent otherwise. The caller disposes it.
   */
  validationStepModel?(): Promise<StepModel<unknown> & { dispose(): Promise<void> }>;
  /** A line on what the engine spent beside the steps (ORT: sessions built), or null. */
  summary(): string | null;
  dispose(): Promise<void>;
}

/**
 * Batch shapes rounded up (padding, masked exactly), so that a corpus needs few step graphs, when no
 * lengths are planned (runGrid plans them for parley train). The batch size is free in the graphs (one
 * per (source, target) length pair), so rows are not rounded; lengths go up the ladder (step-batch.ts).
 * One epoch of the 393k-pair chat corpora (`npm run bench:train-shapes`) needs 36 length pairs this way, at 0.641 real/padded tokens, where fixed-batch
 * graphs on a ×8 rows, ×4 positions grid needed 153 shapes at 0.633 (README.md here).
 */
export const DEFAULT_GRID: BucketGrid = { batch: 1, length: 'ladder' };

/** PARLEY_ORT_GRID=ROWSxPOSITIONS (e.g. 1x1: exact shapes; 8x4; 1xladder) overrides the grid. */
export function gridFromEnv(value = process.env.PARLEY_ORT_GRID): BucketGrid {
  if (value === undefined || value === '') return DEFAULT_GRID;
  const m = /^([1-9][0-9]*)x([1-9][0-9]*|ladder)$/.exec(value);
  if (!m) throw new Error(`PARLEY_ORT_GRID must look like 8x4 or 1xladder (rows x positions), got "${value}"`);
  return { batch: Number(m[1]), length: m[2] === 'ladder' ? 'ladder' : Number(m[2]) };
}

/**
 * `parley train`'s grid: PARLEY_ORT_GRID's if set; otherwise at most PARLEY_ORT_SHAPES (default
 * DEFAULT_SHAPE_BUDGET) length pairs planned from the run's first epoch of batches (shape-plan.ts), the
 * ladder for a later batch that none holds. `batches` index `examples`.
 */
export function runGrid(examples: readonly Example[], batches: readonly number[][], env: NodeJS.ProcessEnv = process.env): BucketGrid {
  if (env.PARLEY_ORT_GRID) return gridFromEnv(env.PARLEY_ORT_GRID);
  const budget = env.PARLEY_ORT_SHAPES ? Number(env.PARLEY_ORT_SHAPES) : DEFAULT_SHAPE_BUDGET;
  if (!Number.isInteger(budget) || budget < 1) throw new Error(`PARLEY_ORT_SHAPES must be a positive integer, got "${env.PARLEY_ORT_SHAPES}"`);
  return { ...DEFAULT_GRID, shapes: planShapes(batches.map((b) => shapeUse(b.map((i) => examples[i]!))), budget) };
}

const describeGrid = (g: BucketGrid, dynamicBatch: boolean) => {
  const lengths = g.shapes ? `${g.shapes.pairs.length} length pairs planned from the first epoch's batches` : g.length === 'ladder' ? 'lengths on the ladder' : `lengths rounded up to ×${g.length}`;
  return `${dynamicBatch ? 'batch size free' : `batch rounded up to ×${g.batch} rows`}, ${lengths}`;
};

/**
 * The engine to use: the one asked for, else the fastest available: tfjs on tfjs-node's native
 * backend, otherwise onnxruntime (it builds every preset).
 */
export function chooseEngine(requested: EngineName | undefined, backend: BackendName): { name: EngineName; why: string } {
  if (requested) return { name: requested, why: 'asked for' };
  if (backend === 'tensorflow') return { name: 'tfjs', why: 'tfjs-node native backend' };
  return { name: 'onnxruntime', why: 'fastest available' };
}

/** The glibc malloc settings that win back most of ORT's arena speed (README.md here: big 0.70× → 1.04× PyTorch). */
export const GLIBC_MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296';

/**
 * A line for `parley train` when the ORT engine runs on Linux without those settings, or null. With the
 * arena off, glibc returns large freed blocks to the kernel after every step and faults them in again;
 * the settings can only be given before the process starts, so the command can only say so.
 */
export function mallocHint(engine: EngineName, platform: string = process.platform, tunables: string | undefined = process.env.GLIBC_TUNABLES): string | null {
  if (engine !== 'onnxruntime' || platform !== 'linux' || tunables?.includes('glibc.malloc.mmap_threshold')) return null;
  return `onnxruntime: for up to ~1.5x faster steps on large models, start with GLIBC_TUNABLES=${GLIBC_MALLOC_TUNABLES} (engine/ort-training/README.md)`;
}

export function tfjsEngine(trainer: Trainer): TrainEngine {
  const { config } = trainer.model;
  return {
    name: 'tfjs',
    get step() {
      return trainer.step;
    },
    async trainStep(examples) {
      const batch = makeBatch(examples, config.specials, config.reverseSource);
      try {
        return trainer.trainStep(batch);
      } finally {
        batch.dispose();
      }
    },
    syncToTrainer() {},
    syncFromTrainer() {},
    summary: () => null,
    async dispose() {},
  };
}

/**
 * Sessions to keep for a grid: OrtTrainer's defaults (64 training, 32 validation), or, when
 * PARLEY_ORT_SHAPES plans more pairs than that leaves room for, each planned pair plus 32 for ladder
 * shapes and odd batches; a smaller cache would release and rebuild planned graphs every epoch (and
 * validation's every validation). Each session costs memory: ~85 MiB for an 18.7M-parameter model.
 */
export function trainSessionLimit(grid: BucketGrid): number {
  return Math.max(64, (grid.shapes?.pairs.length ?? 0) + 32);
}

export function evalSessionLimit(grid: BucketGrid): number {
  return Math.max(32, (grid.shapes?.pairs.length ?? 0) + 32);
}

export function ortEngine(trainer: Trainer, options: OrtTrainerOptions & { grid?: BucketGrid } = {}): TrainEngine {
  const { model } = trainer;
  const { grid: given, ...ortOptions } = options;
  const grid = given ?? gridFromEnv();
  const ort = OrtTrainer.fromModel(model, { ...trainer.options, maxSessions: trainSessionLimit(grid), maxEvalSessions: evalSessionLimit(grid), ...ortOptions });
  ort.rng.state = trainer.rng.state;
  const read = (m: Map<string, tf.Variable>) => new Map([...m].map(([n, v]) => [n, v.dataSync() as Float32Array]));
  return {
    name: 'onnxruntime',
    get step() {
      return ort.step;
    },
    trainStep: (examples) => ort.trainStep(makeStepBatch(examples, model.config.specials, model.config.reverseSource, grid)),
    async perplexity(examples) {
      // Batched as measurePerplexity batches (engine/pipeline/evaluate.ts); lengths on the run's grid.
      const meter = new PerplexityMeter();
      for (const indices of planBatches(examples, { batchTokens: PERPLEXITY_BATCH_TOKENS, seed: 0, epoch: 0 })) {
        const batch = makeStepBatch(indices.map((i) => examples[i]!), model.config.specials, model.config.reverseSource, grid);
        meter.add(await ort.lossSum(batch), batch.targetTokens);
      }
      return meter.value();
    },
    async validationStepModel() {
      const threads = options.threads ?? parseThreadsEnv();
      return OrtStepModel.create(buildOnnxGraphs(model), model.config.specials, { encoderThreads: threads, decoderThreads: threads });
    },
    syncToTrainer() {
      const { params, m, v } = ort.state();
      const tensors = (values: Map<string, Float32Array>) => new Map([...values].map(([n, x]) => [n, tf.tensor(x, model.params.get(n).shape)]));
      const p = tensors(params);
      model.params.assign(p);
      tf.dispose([...p.values()]);
      for (const [store, values] of [[trainer.optimizer.m, m], [trainer.optimizer.v, v]] as const) {
        for (const [name, variable] of store) tf.tidy(() => variable.assign(tf.tensor(values.get(name)!, variable.shape)));
      }
      trainer.optimizer.t = ort.step;
      trainer.rng.state = ort.rng.state;
    },
    syncFromTrainer() {
      const params = new Map(model.params.entries().map(([n, v]) => [n, v.dataSync() as Float32Array]));
      ort.restore({ params, m: read(trainer.optimizer.m), v: read(trainer.optimizer.v), step: trainer.step });
      ort.rng.state = trainer.rng.state;
    },
    summary() {
      const s = ort.stats;
      return `onnxruntime: ${s.sessions} step graphs (${describeGrid(grid, ort.dynamicBatch)}; ${s.evicted} released to stay within the cache), ${(s.buildMs / 1000).toFixed(1)} s building and ${(s.createMs / 1000).toFixed(1)} s creating sessions`;
    },
    dispose: () => ort.dispose(),
  };
}
