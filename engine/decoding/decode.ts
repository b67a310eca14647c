// One-shot entry points: decode a set of requests together (one batch, each with its own options),
// or stream one request's partial hypotheses as an async iterator that cancels the work when left early.
import { DecodeScheduler, type DecodeRequest, type SchedulerOptions } from './scheduler.ts';
import type { DecodeResult, PartialHypothesis } from './results.ts';
import type { StepModel } from './step-model.ts';

export type DecodeContext = Pick<SchedulerOptions, 'backwardModel' | 'detokenize'>;

/** Decode requests batched together; rejects with the first failure once every request has ended. */
export async function decode<S>(model: StepModel<S>, requests: DecodeRequest[], context: DecodeContext = {}): Promise<DecodeResult[]> {
  const scheduler = new DecodeScheduler(model, { ...context, maxQueue: Math.max(1, requests.length), maxBatchRows: Number.POSITIVE_INFINITY });
  const settled = await Promise.allSettled(requests.map((r) => scheduler.submit(r)));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<DecodeResult>).value);
}

export type DecodeEvent = { type: 'partial'; partial: PartialHypothesis } | { type: 'done'; result: DecodeResult };

/**
 * Decode one request, yielding its best hypothesis after every step and then the result. Breaking out of
 * the loop (or the request's own signal) cancels the decode and releases its states.
 */
export async function* decodeStream<S>(model: StepModel<S>, request: Omit<DecodeRequest, 'onPartial'>, context: DecodeContext = {}): AsyncGenerator<DecodeEvent> {
  const controller = new AbortController();
  const forward = () => controller.abort();
  request.signal?.addEventListener('abort', forward, { once: true });
  if (request.signal?.aborted) controller.abort();
  const events: DecodeEvent[] = [];
  let wakeUp: (() => void) | null = null;
  const notify = () => {
    wakeUp?.();
    wakeUp = null;
  };
  let failure: { error: unknown } | null = null;
  const scheduler = new DecodeScheduler(model, { ...context, maxQueue: 1 });
  const done = scheduler
    .submit({ ...request, signal: controller.signal, onPartial: (partial) => (events.push({ type: 'partial', partial }), notify()) })
    .then((result) => void events.push({ type: 'done', result }), (error: unknown) => void (failure = { error }))
    .finally(notify);
  try {
    for (;;) {
      while (events.length > 0) {
        const event = events.shift()!;
        yield event;
        if (event.type === 'done') return;
      }
      if (failure) throw (failure as { error: unknown }).error;
      await new Promise<void>((r) => (wakeUp = r));
    }
  } finally {
    request.signal?.removeEventListener('abort', forward);
    controller.abort();
    await done;
    await scheduler.close();
  }
}
