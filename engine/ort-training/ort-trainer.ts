// Training on ONNX Runtime: one cached session per bucket shape runs forward, loss, backward, clipping
// and Adam in one call. Weights and moments live in Float32Arrays that ORT reads and writes where they
// are (inputs wrap JS memory; preallocated outputs are written straight into it), so no step copies a
// weight between JS and native code. By default each update is written over its own input: every Adam
// node runs after the whole backward pass (they all wait for the clipping norm) and reads only its own
// element, so this is safe, and it halves the state's memory; 'double' buffers and swaps instead.
import type { ModelConfig } from '../config.ts';
import type { Seq2Seq } from '../models/seq2seq.ts';
import { Random } from '../random.ts';
import { learningRateAt } from '../training/schedule.ts';
import { defaultTrainingOptions, trainingOptionsSchema, type StepReport, type TrainingOptions } from '../training/trainer.ts';
import { drawMasks, dropoutSites } from './dropout.ts';
import type { ParamShapes } from './graph-params.ts';
import { createTrainingSession, ort, type SessionOptions } from './session.ts';
import type { StepBatch } from './step-batch.ts';
import { BATCH_DIM, buildStepGraph, stepNames, type BucketShape, type StepGraphMode } from './step-graph.ts';

const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export interface OrtTrainerOptions extends Partial<TrainingOptions>, SessionOptions {
  stateBuffers?: 'in-place' | 'double';
  /**
   * Training sessions kept (update, gradients and cut graphs); the least recently used are released.
   * Default 64: with the arena off a session holds its graph and kernels, ~85 MiB for an 18.7M-parameter
   * seq2seq-lstm (38 sessions: 4.0 GiB RSS), and parley train needs its planned update graphs (32) plus
   * ladder shapes for later epochs' odd batches (parley train raises it past a larger PARLEY_ORT_SHAPES:
   * train-engine.ts trainSessionLimit).
   */
  maxSessions?: number;
  /**
   * Forward-only validation sessions kept, in a cache of their own (default 32), so that validation's
   * long or odd-length batches never push the update graphs out between validations.
   */
  maxEvalSessions?: number;
  /**
   * One session per (srcLen, tgtLen) serving every batch size (default), instead of one per
   * (batch, srcLen, tgtLen): a corpus then needs fewer sessions, and fewer are built again after eviction.
   */
  dynamicBatch?: boolean;
}

/** What building and creating the sessions cost so far. */
export interface SessionStats {
  sessions: number;
  /** Sessions released to stay within maxSessions or maxEvalSessions (a bucket seen again is then built again). */
  evicted: number;
  buildMs: number;
  createMs: number;
  graphBytes: number;
}

interface Slot {
  name: string;
  shape: number[];
  /** [current, next]: swapped after every step; the same array twice when updating in place. */
  param: [Float32Array, Float32Array];
  m: [Float32Array, Float32Array];
  v: [Float32Array, Float32Array];
}

const bucketKey = (b: BucketShape, mode: StepGraphMode, dynamicBatch: boolean) => `${mode}:${dynamicBatch ? BATCH_DIM : b.batch}x${b.srcLen}x${b.tgtLen}`;

export class OrtTrainer {
  readonly options: TrainingOptions;
  readonly rng: Random;
  /** Number of updates applied (Adam's t). */
  step = 0;
  readonly stats: SessionStats = { sessions: 0, evicted: 0, buildMs: 0, createMs: 0, graphBytes: 0 };
  readonly dynamicBatch: boolean;
  private readonly slots: Slot[];
  /** Two LRU caches (Map order is recency order): training graphs, and validation's forward-only ones. */
  private readonly sessions: Record<'train' | 'eval', { limit: number; map: Map<string, Promise<ort.InferenceSession>> }>;
  private readonly shapes: ParamShapes;

  /** `initial`: the ParamStore's parameters in its order, with their values (copied). */
  constructor(
    readonly config: ModelConfig,
    initial: readonly { name: string; shape: number[]; values: Float32Array }[],
    options: OrtTrainerOptions = {},
  ) {
    const { threads, optimization, memoryArena, profilePrefix, stateBuffers, maxSessions, maxEvalSessions, dynamicBatch, ...training } = options;
    this.sessions = { train: { limit: maxSessions ?? 64, map: new Map() }, eval: { limit: maxEvalSessions ?? 32, map: new Map() } };
    this.dynamicBatch = dynamicBatch ?? true;
    this.session = { threads, optimization, memoryArena, ...(profilePrefix ? { profilePrefix } : {}) };
    this.options = trainingOptionsSchema.parse({ ...defaultTrainingOptions, ...training });
    this.rng = new Random(this.options.seed);
    const pair = (first: Float32Array): [Float32Array, Float32Array] => [first, stateBuffers === 'double' ? new Float32Array(first.length) : first];
    this.slots = initial.map(({ name, shape, values }) => ({
      name,
      shape,
      param: pair(Float32Array.from(values)),
      m: pair(new Float32Array(values.length)),
      v: pair(new Float32Array(values.length)),
    }));
    this.shapes = initial.map(({ name, shape }) => [name, shape] as const);
  }

  private readonly session: SessionOptions;

  /** A trainer starting from a tfjs model's current weights (the model itself is not changed). */
  static fromModel(model: Seq2Seq, options: OrtTrainerOptions = {}): OrtTrainer {
    const initial = model.params.entries().map(([name, v]) => ({ name, shape: [...v.shape], values: v.dataSync() as Float32Array }));
    return new OrtTrainer(model.config, initial, options);
  }

  /**
   * The session for a bucket and mode, built on first use. `evaluate`: the loss graph without dropout or
   * label smoothing (validation perplexity).
   */
  sessionFor(bucket: BucketShape, mode: StepGraphMode = 'update', evaluate = false): Promise<ort.InferenceSession> {
    const key = bucketKey(bucket, mode, this.dynamicBatch);
    const cache = this.sessions[evaluate ? 'eval' : 'train'];
    let s = cache.map.get(key);
    if (s) {
      // Map order is recency order: re-insert on use.
      cache.map.delete(key);
      cache.map.set(key, s);
    } else {
      if (cache.map.size >= cache.limit) {
        const [oldest, session] = cache.map.entries().next().value!;
        cache.map.delete(oldest);
        this.stats.evicted++;
        void session.then((x) => x.release());
      }
      const t0 = performance.now();
      const config = evaluate ? { ...this.config, dropout: 0 } : this.config;
      const labelSmoothing = evaluate ? 0 : this.options.labelSmoothing;
      const bytes = buildStepGraph({ config, params: this.shapes, bucket, labelSmoothing, adam: { ...ADAM, clipNorm: this.options.clipNorm }, mode, dynamicBatch: this.dynamicBatch });
      const t1 = performance.now();
      this.stats.buildMs += t1 - t0;
      this.stats.graphBytes += bytes.byteLength;
      this.stats.sessions++;
      s = createTrainingSession(bytes, this.session).then((session) => {
        this.stats.createMs += performance.now() - t1;
        return session;
      });
      cache.map.set(key, s);
    }
    return s;
  }

  /** The batch's inputs, and fresh dropout masks drawn from the trainer's RNG (none at dropout 0). */
  private batchFeeds(batch: StepBatch): Record<string, ort.Tensor> {
    const masks = drawMasks(dropoutSites(this.config, batch.bucket), { rows: batch.targetTokens, [BATCH_DIM]: batch.bucket.batch }, this.config.dropout, this.rng);
    return { ...Object.fromEntries(masks.map((m) => [m.name, new ort.Tensor('float32', m.data, m.dims)])), ...this.dataFeeds(batch) };
  }

  private dataFeeds(batch: StepBatch): Record<string, ort.Tensor> {
    const { batch: B, srcLen: S, tgtLen: T } = batch.bucket;
    const N = batch.targetTokens;
    return {
      [stepNames.src]: new ort.Tensor('int64', batch.src, [B, S]),
      [stepNames.srcMask]: new ort.Tensor('float32', batch.srcMask, [B, S]),
      [stepNames.tgtIn]: new ort.Tensor('int64', batch.tgtIn, [B, T]),
      [stepNames.rows]: new ort.Tensor('int64', batch.rows, [N]),
      [stepNames.targets]: new ort.Tensor('int64', batch.targets, [N, 1]),
      [stepNames.invCount]: new ort.Tensor('float32', Float32Array.of(1 / Math.max(N, 1)), []),
    };
  }

  private paramFeeds(): Record<string, ort.Tensor> {
    return Object.fromEntries(this.slots.map((s) => [s.name, new ort.Tensor('float32', s.param[0], s.shape)]));
  }

  /** One update: loss, gradient norm (before clipping) and the learning rate used, as Trainer.trainStep. */
  async trainStep(batch: StepBatch): Promise<StepReport> {
    const session = await this.sessionFor(batch.bucket, 'update');
    const t = this.step + 1;
    const learningRate = learningRateAt(this.options.schedule, this.options.learningRate, t);
    const alpha = (learningRate * Math.sqrt(1 - ADAM.beta2 ** t)) / (1 - ADAM.beta1 ** t);
    const feeds: Record<string, ort.Tensor> = { ...this.batchFeeds(batch), ...this.paramFeeds(), [stepNames.alpha]: new ort.Tensor('float32', Float32Array.of(alpha), []) };
    const loss = new Float32Array(1);
    const norm = new Float32Array(1);
    const fetches: Record<string, ort.Tensor> = { [stepNames.loss]: new ort.Tensor('float32', loss, []), [stepNames.gradNorm]: new ort.Tensor('float32', norm, []) };
    for (const s of this.slots) {
      feeds[stepNames.m(s.name)] = new ort.Tensor('float32', s.m[0], s.shape);
      feeds[stepNames.v(s.name)] = new ort.Tensor('float32', s.v[0], s.shape);
      fetches[stepNames.newParam(s.name)] = new ort.Tensor('float32', s.param[1], s.shape);
      fetches[stepNames.newM(s.name)] = new ort.Tensor('float32', s.m[1], s.shape);
      fetches[stepNames.newV(s.name)] = new ort.Tensor('float32', s.v[1], s.shape);
    }
    await session.run(feeds, fetches);
    for (const s of this.slots) {
      s.param.reverse();
      s.m.reverse();
      s.v.reverse();
    }
    this.step = t;
    return { step: t, loss: loss[0]!, gradNorm: norm[0]!, learningRate, targetTokens: batch.targetTokens };
  }

  /** Loss, gradient norm and every gradient (unclipped) at the current weights; only the RNG moves (dropout). */
  async gradients(batch: StepBatch): Promise<{ loss: number; gradNorm: number; grads: Map<string, Float32Array> }> {
    const session = await this.sessionFor(batch.bucket, 'gradients');
    const out = await session.run({ ...this.batchFeeds(batch), ...this.paramFeeds() });
    const grads = new Map(this.slots.map((s) => [s.name, out[stepNames.grad(s.name)]!.data as Float32Array]));
    return { loss: (out[stepNames.loss]!.data as Float32Array)[0]!, gradNorm: (out[stepNames.gradNorm]!.data as Float32Array)[0]!, grads };
  }

  /**
   * The batch's summed cross-entropy (nats over its real target tokens) at the current weights, without
   * dropout or label smoothing: validation perplexity on ORT, as `measurePerplexity` does on tfjs.
   * Draws nothing from the RNG, so validating does not move a run's dropout masks.
   */
  async lossSum(batch: StepBatch): Promise<number> {
    const session = await this.sessionFor(batch.bucket, 'loss', true);
    const loss = new Float32Array(1);
    await session.run({ ...this.dataFeeds(batch), ...this.paramFeeds() }, { [stepNames.loss]: new ort.Tensor('float32', loss, []) });
    return loss[0]! * batch.targetTokens;
  }

  /** Run only the forward (loss) or forward+backward (norm) part, for the benchmark's breakdown. */
  async runPartial(batch: StepBatch, mode: 'loss' | 'norm'): Promise<number> {
    const session = await this.sessionFor(batch.bucket, mode);
    const loss = new Float32Array(1);
    const fetches: Record<string, ort.Tensor> = { [stepNames.loss]: new ort.Tensor('float32', loss, []) };
    if (mode === 'norm') fetches[stepNames.gradNorm] = new ort.Tensor('float32', new Float32Array(1), []);
    await session.run({ ...this.batchFeeds(batch), ...this.paramFeeds() }, fetches);
    return loss[0]!;
  }

  /** Build (and drop) one update step's input tensors: the host-side cost of a step, for the benchmark. */
  feedsOnly(batch: StepBatch): number {
    return Object.keys({ ...this.batchFeeds(batch), ...this.paramFeeds() }).length;
  }

  /** Current parameters and Adam moments by name (live views: copy before the next step). */
  state(): { params: Map<string, Float32Array>; m: Map<string, Float32Array>; v: Map<string, Float32Array> } {
    return {
      params: new Map(this.slots.map((s) => [s.name, s.param[0]])),
      m: new Map(this.slots.map((s) => [s.name, s.m[0]])),
      v: new Map(this.slots.map((s) => [s.name, s.v[0]])),
    };
  }

  /** Set parameters, moments and step (from a checkpoint); every parameter must be given, shapes exact. */
  restore(state: { params: Map<string, Float32Array>; m: Map<string, Float32Array>; v: Map<string, Float32Array>; step: number }): void {
    for (const s of this.slots) {
      for (const [kind, map] of [['param', state.params], ['m', state.m], ['v', state.v]] as const) {
        const x = map.get(s.name);
        if (!x || x.length !== s.param[0].length) throw new Error(`restore: ${kind} "${s.name}" is missing or has ${x?.length} values, expected ${s.param[0].length}`);
        s[kind][0].set(x);
      }
    }
    this.step = state.step;
  }

  async dispose(): Promise<void> {
    const caches = Object.values(this.sessions);
    const sessions = await Promise.all(caches.flatMap((c) => [...c.map.values()]));
    caches.forEach((c) => c.map.clear());
    await Promise.all(sessions.map((s) => s.release()));
  }
}
