// Continuous batching over one StepModel: requests submitted while a batch runs join it at its next
// step and leave when finished, each with its own options; a bounded queue refuses work with 'busy'.
import { BeamSearch } from './beam.ts';
import { DecodeAbortedError, DecodeTimeoutError, SchedulerBusyError, SchedulerClosedError } from './errors.ts';
import { IndependentSearch } from './independent.ts';
import { checkOptionsAgainstVocab, DecodingOptionsError, parseDecodingOptions, type DecodingOptions } from './options.ts';
import { drawSeed } from '../random.ts';
import { rerankBidi } from './rerank.ts';
import { buildResult, type DecodeResult, type Detokenize, type PartialHypothesis } from './results.ts';
import { BatchRunner, type RunnerEntry } from './runner.ts';
import type { Search, SearchSetup } from './search.ts';
import type { StepModel } from './step-model.ts';

export interface DecodeRequest {
  /** Source token ids (no BOS/EOS). */
  source: number[];
  /** Untrusted decoding options; validated here (see options.ts). */
  options?: unknown;
  /** Extra text (e.g. earlier conversation turns) whose n-grams blockSourceNgrams also blocks. */
  context?: number[][];
  signal?: AbortSignal;
  /** Limit from submission to result; the request fails with code 'timeout' past it. */
  timeoutMs?: number;
  /** Called after every step with the current best hypothesis. */
  onPartial?: (partial: PartialHypothesis) => void;
}

export interface SchedulerOptions {
  /** Requests waiting to join (beyond this, submit fails with code 'busy'). */
  maxQueue?: number;
  /** Rows (beams, samples) decoded together at most. */
  maxBatchRows?: number;
  /** p(S|T), for MMI-bidi reranking. */
  backwardModel?: StepModel<any>;
  detokenize?: Detokenize;
}

interface Job extends RunnerEntry {
  request: DecodeRequest;
  options: DecodingOptions;
  seed: number;
  maxRows: number;
  submittedAt: number;
  admittedAt: number;
  failure: Error | null;
  resolve(result: DecodeResult): void;
  reject(error: Error): void;
  unlisten(): void;
}

export class DecodeScheduler<S> {
  private readonly runner: BatchRunner<S>;
  private readonly queue: Job[] = [];
  private readonly active = new Set<Job>();
  private loopDone: Promise<void> | null = null;
  private closed = false;
  private readonly maxQueue: number;
  private readonly maxBatchRows: number;

  constructor(private readonly model: StepModel<S>, private readonly config: SchedulerOptions = {}) {
    this.runner = new BatchRunner(model);
    this.maxQueue = config.maxQueue ?? 256;
    this.maxBatchRows = config.maxBatchRows ?? 256;
  }

  get queued(): number {
    return this.queue.length;
  }

  get running(): number {
    return this.active.size;
  }

  submit(request: DecodeRequest): Promise<DecodeResult> {
    return new Promise<DecodeResult>((resolve, reject) => {
      if (this.closed) throw new SchedulerClosedError();
      if (this.queue.length >= this.maxQueue) throw new SchedulerBusyError(this.maxQueue);
      if (request.signal?.aborted) throw new DecodeAbortedError();
      const options = parseDecodingOptions(request.options ?? {});
      this.checkRequest(options);
      const job: Job = {
        request,
        options,
        seed: options.seed ?? drawSeed(),
        maxRows: options.strategy === 'beam' || options.strategy === 'diverse-beam' ? options.beamSize : options.nBest,
        submittedAt: performance.now(),
        admittedAt: 0,
        failure: null,
        cancelled: false,
        search: null as unknown as Search,
        resolve,
        reject,
        unlisten: () => {},
      };
      const onAbort = () => this.cancel(job, new DecodeAbortedError());
      request.signal?.addEventListener('abort', onAbort, { once: true });
      job.unlisten = () => request.signal?.removeEventListener('abort', onAbort);
      this.queue.push(job);
      this.wake();
    });
  }

  /** Refuse new work, fail what waits, and let running requests finish. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, new SchedulerClosedError());
    await this.loopDone;
  }

  private checkRequest(o: DecodingOptions): void {
    checkOptionsAgainstVocab(o, this.model.vocabSize);
    if (o.mmiAntiLm && !this.model.encodeUnconditional) throw new DecodingOptionsError('mmiAntiLm', 'the model cannot run as an unconditional language model');
    if (o.mmiBidi && !this.config.backwardModel) throw new DecodingOptionsError('mmiBidi', 'no backward model p(S|T) is loaded');
  }

  private cancel(job: Job, reason: Error): void {
    const queuedAt = this.queue.indexOf(job);
    if (queuedAt >= 0) {
      this.queue.splice(queuedAt, 1);
      this.settle(job, reason);
    } else if (this.active.has(job) && !job.cancelled) {
      job.failure = reason;
      job.cancelled = true;
    }
  }

  private wake(): void {
    if (this.loopDone) return;
    this.loopDone = this.loop().finally(() => {
      this.loopDone = null;
      if (this.queue.length > 0) this.wake();
    });
  }

  private async loop(): Promise<void> {
    // Let requests submitted in the same tick join the first batch together.
    await new Promise((r) => setImmediate(r));
    try {
      while (this.queue.length > 0 || this.active.size > 0) {
        await this.admit();
        if (this.active.size === 0) continue;
        const ended = (await this.runner.step()) as Job[];
        for (const job of ended) void this.complete(job);
        this.afterStep();
        await new Promise((r) => setImmediate(r));
      }
    } catch (error) {
      this.runner.releaseAll();
      for (const job of [...this.active, ...this.queue.splice(0)]) this.settle(job, error as Error);
    }
  }

  private afterStep(): void {
    const now = performance.now();
    for (const job of this.active) {
      const limit = job.request.timeoutMs;
      if (limit !== undefined && now - job.submittedAt > limit) this.cancel(job, new DecodeTimeoutError(limit));
      else if (job.request.onPartial && !job.cancelled) {
        const partial = job.search.partial();
        // A caller's callback that throws fails its own request, not the whole batch.
        try {
          if (partial) job.request.onPartial(this.withText(partial));
        } catch (error) {
          this.cancel(job, error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
  }

  private withText(p: PartialHypothesis): PartialHypothesis {
    return this.config.detokenize ? { ...p, text: this.config.detokenize(p.tokens) } : p;
  }

  /** Move queued jobs into the batch while rows allow (always at least one into an empty batch). */
  private async admit(): Promise<void> {
    const now = performance.now();
    let rows = [...this.active].reduce((n, j) => n + j.maxRows, 0);
    const joining: Job[] = [];
    while (this.queue.length > 0) {
      const job = this.queue[0]!;
      const limit = job.request.timeoutMs;
      if (limit !== undefined && now - job.submittedAt > limit) {
        this.queue.shift();
        this.settle(job, new DecodeTimeoutError(limit));
        continue;
      }
      if (rows + job.maxRows > this.maxBatchRows && rows > 0) break;
      this.queue.shift();
      joining.push(job);
      rows += job.maxRows;
    }
    if (joining.length === 0) return;
    for (const job of joining) {
      job.admittedAt = now;
      this.active.add(job);
    }
    const encoded = await this.model.encode(joining.map((j) => j.request.source));
    try {
      const lengths = this.model.sourceLengths(encoded);
      joining.forEach((job, i) => (job.search = this.createSearch(job, lengths[i]!)));
    } catch (error) {
      this.model.release(encoded);
      throw error;
    }
    await this.runner.admit(joining, encoded);
  }

  private createSearch(job: Job, srcLen: number): Search {
    const setup: SearchSetup = {
      options: job.options,
      specials: this.model.specials,
      vocabSize: this.model.vocabSize,
      source: job.request.source,
      srcLen,
      context: job.request.context ?? [],
      seed: job.seed,
    };
    return job.options.strategy === 'beam' || job.options.strategy === 'diverse-beam' ? new BeamSearch(setup) : new IndependentSearch(setup);
  }

  private async complete(job: Job): Promise<void> {
    // Out of the batch now; reranking below must not keep the step loop spinning.
    this.active.delete(job);
    if (job.cancelled) return this.settle(job, job.failure ?? new DecodeAbortedError());
    try {
      let hyps = job.search.finished();
      const bidi = job.options.mmiBidi;
      // MMI-bidi reranks the n-best list (Li et al. 2016), so nBest sets the size of the candidate pool.
      if (bidi) {
        const candidates = hyps.slice(0, job.options.nBest);
        hyps = await rerankBidi({ backward: this.config.backwardModel!, source: job.request.source, candidates, lambda: bidi.lambda });
      }
      const end = performance.now();
      const timing = {
        queuedMs: job.admittedAt - job.submittedAt,
        decodeMs: end - job.admittedAt,
        totalMs: end - job.submittedAt,
        steps: job.search.steps,
      };
      const seed = job.options.strategy === 'sample' ? job.seed : undefined;
      this.settle(job, buildResult(hyps, job.options, { detokenize: this.config.detokenize, timing, seed }));
    } catch (error) {
      this.settle(job, error as Error);
    }
  }

  private settle(job: Job, outcome: DecodeResult | Error): void {
    this.active.delete(job);
    job.unlisten();
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }
}
