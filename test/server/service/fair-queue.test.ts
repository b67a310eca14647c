import { describe, expect, it } from 'vitest';
import { AdmissionQueue } from '../../../server/service/admission-queue.ts';
import { ServiceError } from '../../../server/service/errors.ts';

describe('AdmissionQueue', () => {
  it('runs up to maxActive at once, queues up to maxQueued and refuses the rest as busy', async () => {
    const queue = new AdmissionQueue({ maxActive: 1, maxQueued: 1 });
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const signal = new AbortController().signal;
    const first = queue.run(signal, async () => {
      order.push('first');
      await gate;
    });
    const second = queue.run(signal, async () => {
      order.push('second');
    });
    await expect(queue.run(signal, async () => undefined)).rejects.toMatchObject({ code: 'busy' });
    expect(queue.depth).toEqual({ active: 1, queued: 1 });
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(queue.depth).toEqual({ active: 0, queued: 0 });
  });

  it('drops a queued request whose signal aborts', async () => {
    const queue = new AdmissionQueue({ maxActive: 1, maxQueued: 4 });
    let release!: () => void;
    const running = queue.run(new AbortController().signal, () => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const waiting = queue.run(controller.signal, async () => 'ran');
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(ServiceError);
    expect(queue.depth.queued).toBe(0);
    release();
    await running;
  });
});
