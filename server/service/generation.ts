// The service every transport calls: picks the model for a task, refuses requests over the cost budget,
// admits the rest through the model's bounded fair queue, applies the time limit, and records metrics.
// Knows nothing of HTTP or sockets.
import { setMaxListeners } from 'node:events';
import type { Metrics } from '../metrics.ts';
import { assertWithinBudget, type PlannedText, type RequestCost } from './cost-budget.ts';
import { ServiceError, toServiceError } from './errors.ts';
import { FairQueue } from './fair-queue.ts';
import type { DecodingOptionsInput, GenerateResult, LoadedModel, ModelTask } from './model-backend.ts';
import type { ModelLoader } from './model-loader.ts';

export interface GenerationOptions {
  loader: ModelLoader;
  metrics: Metrics;
  /** Rows (beams, samples) decoding at once per model: the engine's batch; wider requests run alone. */
  maxActiveRows: number;
  /** The part of maxActiveRows one client address may hold (fair-queue.ts). */
  clientShare: number;
  /** Requests waiting per model before new ones are refused as busy. */
  maxQueued: number;
  /** Time limit of one request, queueing included. */
  timeLimitMs: number;
  /** Most work one request may ask for, in row-steps (cost-budget.ts); above it the request is refused with 413. */
  maxRequestCost: number;
}

export interface GenerateCall {
  task: ModelTask;
  model?: string;
  inputs: string[];
  options: DecodingOptionsInput;
  /** The caller's cancellation (client gone, request cancelled). */
  signal?: AbortSignal;
  onPartial?: (text: string) => void;
  /** Metric label: the route or socket event. */
  route: string;
  /** Who asks (their address): queued requests are started round-robin between clients. */
  client?: string;
  /** This text's plan from checkCost: its cost is not planned again, nor its input encoded again. */
  planned?: PlannedText;
}

export interface Generated {
  model: LoadedModel;
  result: GenerateResult;
}

export class GenerationService {
  private readonly queues = new Map<string, FairQueue>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private accepting = true;

  constructor(private readonly options: GenerationOptions) {
    // Every request in flight listens to the shutdown signal (and removes its listener when done).
    setMaxListeners(0, this.shutdown.signal);
  }

  /** The named model, or the default model for the task; checks that it serves the task. */
  resolve(task: ModelTask, id?: string): LoadedModel {
    const model = id === undefined ? this.options.loader.defaultFor(task) : this.options.loader.get(id);
    if (!model) {
      throw new ServiceError('not_found', id === undefined ? `no ${task} model is loaded` : `model "${id}" is not loaded`);
    }
    if (model.task !== task) throw new ServiceError('invalid_input', `model "${model.id}" is a ${model.task} model, not ${task}`);
    return model;
  }

  /**
   * Refuses a request of several texts (one item each, a model id or the task's default) whose summed
   * cost is over the budget; each text's own call to generate is checked again on its own.
   */
  checkCost(task: ModelTask, items: { model?: string; inputs: string[]; options: DecodingOptionsInput }[]): RequestCost {
    try {
      return assertWithinBudget(this.options.maxRequestCost, items.map((i) => ({ ...i, model: this.resolve(task, i.model) })));
    } catch (error) {
      throw toServiceError(error);
    }
  }

  /**
   * Throws 'busy' (or 'shutting_down') when a request from `client` to the model would be refused now; lets a
   * caller refuse before it stores anything. The check and a generate call in the same tick agree.
   */
  assertAdmits(modelId: string, rows: number, client = 'unknown'): void {
    if (!this.accepting) throw new ServiceError('shutting_down', 'the server is shutting down');
    if (!this.queueFor(modelId).admits(client, rows)) throw new ServiceError('busy', 'the server is busy: too many requests queued, try again shortly');
  }

  async generate(call: GenerateCall): Promise<Generated> {
    if (!this.accepting) throw new ServiceError('shutting_down', 'the server is shutting down');
    const started = performance.now();
    const work = this.run(call);
    this.inFlight.add(work);
    try {
      const generated = await work;
      const m = this.options.metrics;
      m.requests.inc({ route: call.route, outcome: 'ok' });
      m.latency.observe({ route: call.route }, (performance.now() - started) / 1000);
      m.tokens.inc({ model: generated.model.id }, generated.result.tokens);
      if (generated.result.timingMs > 0) {
        m.tokensPerSecond.observe({ model: generated.model.id }, generated.result.tokens / (generated.result.timingMs / 1000));
      }
      return generated;
    } catch (error) {
      // Failures are counted by the transport, which also sees the ones that never reach this service.
      throw toServiceError(error);
    } finally {
      this.inFlight.delete(work);
    }
  }

  private async run(call: GenerateCall): Promise<Generated> {
    const model = this.resolve(call.task, call.model);
    // A plan made by a model since reloaded is made again, by the model that now serves the id.
    const given = call.planned?.model === model ? { plan: call.planned.plan } : {};
    const { rows, planned } = assertWithinBudget(this.options.maxRequestCost, [{ model, inputs: call.inputs, options: call.options, ...given }]);
    const plan = planned[0]!.plan;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.options.timeLimitMs);
    // One controller per request, unhooked afterwards: AbortSignal.any would leave listeners on the
    // server-long shutdown signal.
    const controller = new AbortController();
    const sources = [timeout.signal, this.shutdown.signal, ...(call.signal ? [call.signal] : [])];
    const abort = (): void => controller.abort();
    for (const s of sources) {
      if (s.aborted) controller.abort();
      else s.addEventListener('abort', abort, { once: true });
    }
    const signal = controller.signal;
    const stopped = new Promise<never>((_, reject) => {
      const fail = (): void => {
        if (timeout.signal.aborted) reject(new ServiceError('timeout', `no reply within ${this.options.timeLimitMs} ms`));
        else if (this.shutdown.signal.aborted) reject(new ServiceError('shutting_down', 'the server is shutting down'));
        else reject(new ServiceError('cancelled', 'request cancelled'));
      };
      if (signal.aborted) fail();
      else signal.addEventListener('abort', fail, { once: true });
    });
    stopped.catch(() => undefined);
    try {
      const decode = this.queueFor(model.id).run(call.client ?? 'unknown', rows, signal, () =>
        this.options.loader.use(model.id, (current) =>
          current.generate({ inputs: call.inputs, options: call.options, signal, onPartial: call.onPartial, ...(current === model ? { plan } : {}) }).then(
            (result) => ({ model: current, result }),
          ),
        ),
      );
      // Answer as soon as the request is stopped; the queue slot frees when the engine lets go.
      return await Promise.race([decode, stopped]);
    } finally {
      clearTimeout(timer);
      for (const s of sources) s.removeEventListener('abort', abort);
    }
  }

  private queueFor(modelId: string): FairQueue {
    let queue = this.queues.get(modelId);
    if (!queue) {
      const { metrics, maxActiveRows, clientShare, maxQueued } = this.options;
      queue = new FairQueue({
        maxRows: maxActiveRows,
        clientShare,
        maxQueued,
        onChange: (active, queued) => {
          metrics.active.set({ model: modelId }, active);
          metrics.queueDepth.set({ model: modelId }, queued);
        },
      });
      this.queues.set(modelId, queue);
    }
    return queue;
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cancels the rest. */
  async drain(graceMs: number): Promise<void> {
    this.accepting = false;
    const settled = Promise.allSettled([...this.inFlight]);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([settled, timer]);
    this.shutdown.abort();
    await settled;
    // Let the transports deliver the errors of cancelled requests before they close.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
