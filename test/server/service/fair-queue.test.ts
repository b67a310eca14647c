import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../server/service/errors.ts';
import { FairQueue } from '../../../server/service/fair-queue.ts';

const never = new AbortController().signal;

/** A job that records its start and finishes when released. */
function gated(order: string[], name: string): { job: () => Promise<void>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  return { job: async () => (order.push(name), gate), release: () => release() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FairQueue', () => {
  it('runs up to maxRows rows at once, queues up to maxQueued and refuses the rest as busy', async () => {
    const queue = new FairQueue({ maxRows: 1, maxQueued: 1 });
    const order: string[] = [];
    const first = gated(order, 'first');
    const a = queue.run('c', 1, never, first.job);
    const b = queue.run('c', 1, never, async () => {
      order.push('second');
    });
    await expect(queue.run('c', 1, never, async () => undefined)).rejects.toMatchObject({ code: 'busy' });
    expect(queue.depth).toEqual({ active: 1, queued: 1 });
    first.release();
    await Promise.all([a, b]);
    expect(order).toEqual(['first', 'second']);
    expect(queue.depth).toEqual({ active: 0, queued: 0 });
  });

  it('drops a queued request whose signal aborts', async () => {
    const queue = new FairQueue({ maxRows: 1, maxQueued: 4 });
    let release!: () => void;
    const running = queue.run('c', 1, never, () => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const waiting = queue.run('c', 1, controller.signal, async () => 'ran');
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(ServiceError);
    expect(queue.depth.queued).toBe(0);
    release();
    await running;
  });

  it('starts waiting requests round-robin between clients, not first come first served', async () => {
    const queue = new FairQueue({ maxRows: 1, maxQueued: 100 });
    const order: string[] = [];
    const jobs = new Map<string, () => void>();
    const submit = (client: string, name: string) => {
      const g = gated(order, name);
      jobs.set(name, g.release);
      return queue.run(client, 1, never, g.job);
    };
    const all = [submit('heavy', 'h0'), submit('heavy', 'h1'), submit('heavy', 'h2'), submit('heavy', 'h3'), submit('light', 'l0'), submit('light', 'l1')];
    for (const name of ['h0', 'h1', 'l0', 'h2', 'l1', 'h3']) {
      await settle();
      expect(order.at(-1)).toBe(name);
      jobs.get(name)!();
    }
    await Promise.all(all);
  });

  it('when full, refuses the newest request of the client with the most waiting to admit another client', async () => {
    const queue = new FairQueue({ maxRows: 1, maxQueued: 3 });
    const order: string[] = [];
    const head = gated(order, 'h0');
    const running = queue.run('heavy', 1, never, head.job);
    const queued = [1, 2, 3].map((i) => queue.run('heavy', 1, never, async () => void order.push(`h${i}`)));
    // The heavy client's own fourth waiter is refused: it already holds the whole queue.
    expect([queue.admits('heavy', 1), queue.admits('light', 1)]).toEqual([false, true]);
    await expect(queue.run('heavy', 1, never, async () => undefined)).rejects.toMatchObject({ code: 'busy' });
    const light = queue.run('light', 1, never, async () => void order.push('l0'));
    await expect(queued[2]).rejects.toMatchObject({ code: 'busy' });
    expect(queue.depth).toEqual({ active: 1, queued: 3 });
    head.release();
    await Promise.all([running, light, queued[0], queued[1]]);
    expect(order).toEqual(['h0', 'h1', 'l0', 'h2']);
  });

  it('starts requests while their rows fit, passing over a client at its half share, and runs a wider one alone', async () => {
    const queue = new FairQueue({ maxRows: 10, maxQueued: 10 });
    const order: string[] = [];
    const jobs = new Map<string, () => void>();
    const submit = (client: string, name: string, rows: number) => {
      const g = gated(order, name);
      jobs.set(name, g.release);
      return queue.run(client, rows, never, g.job);
    };
    const all = [submit('a', 'a-beam5', 5), submit('a', 'a-beam2', 2), submit('b', 'b-beam4', 4), submit('c', 'c-beam32', 32), submit('d', 'd-greedy', 1)];
    await settle();
    // a holds its share (5 of 10); b and d fit beside it; c is wider than a share and waits for an idle model.
    expect(order).toEqual(['a-beam5', 'b-beam4', 'd-greedy']);
    jobs.get('a-beam5')!();
    await settle();
    expect(order.at(-1)).toBe('a-beam2');
    for (const name of ['a-beam2', 'b-beam4', 'd-greedy']) jobs.get(name)!();
    await settle();
    expect(order.at(-1)).toBe('c-beam32');
    expect(queue.depth).toEqual({ active: 1, queued: 0 });
    jobs.get('c-beam32')!();
    await Promise.all(all);
    expect(queue.depth).toEqual({ active: 0, queued: 0 });
  });

  it('lets one client hold every row when its share is 1', async () => {
    const queue = new FairQueue({ maxRows: 4, maxQueued: 4, clientShare: 1 });
    const order: string[] = [];
    const jobs = [1, 2, 3, 4].map((i) => gated(order, `j${i}`));
    const all = jobs.map((g) => queue.run('proxy', 1, never, g.job));
    await settle();
    expect(order).toEqual(['j1', 'j2', 'j3', 'j4']);
    jobs.forEach((g) => g.release());
    await Promise.all(all);
  });
});
