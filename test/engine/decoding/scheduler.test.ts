import { describe, expect, it, vi } from 'vitest';
import { decode, decodeStream, DecodeScheduler, type DecodeRequest, type DecodeResult } from '../../../engine/decoding/index.ts';
import { makeModel, mixedRequests } from './helpers/mixed.ts';
import { withoutTiming } from './helpers/strip.ts';
import { logNormalise, randomNext, TableModel } from './helpers/table-model.ts';

async function oneByOne(requests: DecodeRequest[]): Promise<DecodeResult[]> {
  const out: DecodeResult[] = [];
  for (const r of requests) out.push(...(await decode(makeModel(), [r])));
  return out;
}

const endless = (delayMs = 0) => new TableModel({ vocabSize: 6, next: () => logNormalise([0, 0, 1e-6, 0.3, 0.3, 0.4]), delayMs });

describe('continuous batching scheduler', () => {
  it('lets requests join a running batch and leave when done, with one-by-one results', async () => {
    const model = makeModel();
    const scheduler = new DecodeScheduler(model);
    const long: DecodeRequest = { source: [4, 5], options: { beamSize: 3, minLength: 9, maxLength: 10 } };
    const joiners: Promise<DecodeResult>[] = [];
    const finishOrder: string[] = [];
    const first = scheduler.submit({
      ...long,
      onPartial: (p) => {
        if (p.step === 2) joiners.push(...mixedRequests.slice(0, 3).map((r, i) => scheduler.submit(r).then((x) => (finishOrder.push(`j${i}`), x))));
      },
    }).then((x) => (finishOrder.push('long'), x));
    const results = [await first, ...(await Promise.all(joiners))];
    expect(results.map(withoutTiming)).toEqual((await oneByOne([long, ...mixedRequests.slice(0, 3)])).map(withoutTiming));
    // The joiners (1 + 1 + 2 rows) entered at the third step, then the batch shrank as they left.
    expect(model.stepRows.slice(0, 3)).toEqual([1, 3, 7]);
    expect(Math.max(...model.stepRows)).toBeGreaterThan(3);
    expect(model.stepRows.at(-1)).toBe(3);
    expect(finishOrder.at(-1)).toBe('long');
    expect(results[1]!.timing.steps).toBeLessThan(results[0]!.timing.steps);
    await scheduler.close();
    expect(model.live.size).toBe(0);
  });

  it('fails only the request whose onPartial callback throws, not the others in its batch', async () => {
    const model = makeModel();
    const scheduler = new DecodeScheduler(model);
    const options = { strategy: 'greedy', minLength: 4, maxLength: 6 };
    const broken = scheduler.submit({ source: [4, 5], options, onPartial: () => { throw new Error('client went away'); } });
    const fine = scheduler.submit({ source: [5, 4], options });
    await expect(broken).rejects.toThrow('client went away');
    expect((await fine).tokens.length).toBeGreaterThanOrEqual(4);
    await scheduler.close();
    expect(model.live.size).toBe(0);
  });

  it('fails only the request whose option the model cannot honour (coverage without attention), not its batch', async () => {
    // No attention: a coverage penalty fails at the first step, inside the batch it shares with the others.
    const model = new TableModel({ vocabSize: 9, next: randomNext(9, 71, 0.8), unconditional: true });
    const scheduler = new DecodeScheduler(model);
    const others: DecodeRequest[] = [
      { source: [4, 5], options: { beamSize: 3, minLength: 4, maxLength: 6 } },
      { source: [6, 4], options: { beamSize: 2, mmiAntiLm: { lambda: 0.4, gamma: 3 }, maxLength: 6 } },
    ];
    const fine = others.map((r) => scheduler.submit(r));
    const coverage = scheduler.submit({ source: [7, 3], options: { beamSize: 4, coveragePenalty: 0.5, maxLength: 6 } });
    await expect(coverage).rejects.toMatchObject({ name: 'DecodingOptionsError', option: 'coveragePenalty' });
    const results = await Promise.all(fine);
    const alone = await Promise.all(others.map(async (r) => (await decode(new TableModel({ vocabSize: 9, next: randomNext(9, 71, 0.8), unconditional: true }), [r]))[0]!));
    expect(results.map(withoutTiming)).toEqual(alone.map(withoutTiming));
    await scheduler.close();
    expect(model.live.size).toBe(0);
  });

  it('keeps the batch within maxBatchRows, queueing the rest', async () => {
    const model = makeModel();
    const scheduler = new DecodeScheduler(model, { maxBatchRows: 5 });
    const requests = [mixedRequests[1]!, mixedRequests[3]!, mixedRequests[0]!];
    const results = await Promise.all(requests.map((r) => scheduler.submit(r)));
    expect(Math.max(...model.stepRows)).toBeLessThanOrEqual(5);
    expect(results.map(withoutTiming)).toEqual((await oneByOne(requests)).map(withoutTiming));
    expect(model.live.size).toBe(0);
  });

  it("refuses work with a 'busy' error when the queue is full", async () => {
    const model = endless();
    const scheduler = new DecodeScheduler(model, { maxQueue: 2 });
    const options = { strategy: 'greedy', maxLength: 5 };
    const accepted = [scheduler.submit({ source: [4], options }), scheduler.submit({ source: [5], options })];
    await expect(scheduler.submit({ source: [3], options })).rejects.toMatchObject({ code: 'busy' });
    await Promise.all(accepted);
    await scheduler.close();
    expect(model.live.size).toBe(0);
  });

  it('fails a request past its time limit and frees its rows', async () => {
    vi.useFakeTimers();
    try {
      // Each step takes 5 ms of fake time: the slow request is past its 30 ms after its 7th step.
      const model = endless(5);
      const scheduler = new DecodeScheduler(model);
      const other = scheduler.submit({ source: [4], options: { strategy: 'greedy', maxLength: 12 } });
      const slow = scheduler.submit({ source: [4], options: { beamSize: 2, maxLength: 500 }, timeoutMs: 30 });
      const outcome = expect(slow).rejects.toMatchObject({ code: 'timeout' });
      await vi.runAllTimersAsync();
      await outcome;
      expect((await other).tokens).toHaveLength(12);
      // Its beam (1 row at the first step, then 2) beside `other` for 7 steps, then `other` alone.
      expect(model.stepRows).toEqual([2, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1]);
      await scheduler.close();
      expect(model.live.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('cancels a running request through its AbortSignal, leaving the others untouched', async () => {
    const model = makeModel();
    const scheduler = new DecodeScheduler(model);
    const controller = new AbortController();
    const cancelled = scheduler.submit({
      source: [4, 5],
      options: { beamSize: 3, minLength: 9, maxLength: 10 },
      signal: controller.signal,
      onPartial: (p) => p.step === 3 && controller.abort(),
    });
    const kept = scheduler.submit(mixedRequests[1]!);
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError', code: 'aborted' });
    expect(withoutTiming(await kept)).toEqual(withoutTiming((await oneByOne([mixedRequests[1]!]))[0]!));
    expect(model.steps).toBeLessThan(10);
    await scheduler.close();
    expect(model.live.size).toBe(0);
  });

  it('cancels a queued request before it runs, and refuses an already aborted one', async () => {
    const model = endless();
    const scheduler = new DecodeScheduler(model, { maxBatchRows: 1 });
    const controller = new AbortController();
    const running = scheduler.submit({ source: [4], options: { strategy: 'greedy', maxLength: 6 } });
    const queued = scheduler.submit({ source: [5], options: { strategy: 'greedy', maxLength: 6 }, signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ code: 'aborted' });
    await expect(scheduler.submit({ source: [5], signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
    await running;
    expect(model.stepRows.every((rows) => rows === 1)).toBe(true);
    expect(model.steps).toBe(7);
    await scheduler.close();
    expect(model.live.size).toBe(0);
  });
});

describe('streaming', () => {
  it('yields the best hypothesis as decoding advances, then the result', async () => {
    const model = makeModel();
    const request = mixedRequests[1]!;
    const events = [];
    for await (const event of decodeStream(model, request)) events.push(event);
    const done = events.at(-1)!;
    expect(done.type).toBe('done');
    const partials = events.slice(0, -1).map((e) => (e.type === 'partial' ? e.partial : null)!);
    expect(partials.map((p) => p.step)).toEqual(partials.map((_, i) => i + 1));
    expect(partials.every((p) => p.tokens.length === p.step)).toBe(true);
    if (done.type === 'done') expect(withoutTiming(done.result)).toEqual(withoutTiming((await oneByOne([request]))[0]!));
    expect(model.live.size).toBe(0);
  });

  it('stops the work when the consumer leaves early', async () => {
    const model = endless();
    let seen = 0;
    for await (const event of decodeStream(model, { source: [4], options: { strategy: 'greedy', maxLength: 500 } })) {
      if (event.type === 'partial' && ++seen === 3) break;
    }
    expect(model.steps).toBeLessThan(10);
    expect(model.live.size).toBe(0);
  });
});

describe('failures', () => {
  it('fails every request in the batch when a step fails, and releases every state', async () => {
    for (const failAtStep of [1, 3]) {
      const model = new TableModel({ vocabSize: 6, next: () => logNormalise([0, 0, 0.01, 0.3, 0.3, 0.39]), failAtStep, unconditional: true });
      const requests = [
        { source: [4], options: { beamSize: 3, maxLength: 8 } },
        { source: [5, 4], options: { strategy: 'greedy', maxLength: 8, mmiAntiLm: { lambda: 0.5, gamma: 4 } } },
      ];
      await expect(decode(model, requests)).rejects.toThrow('step failed');
      expect(model.live.size).toBe(0);
    }
  });
});
