// Bounded admission for one model: up to `maxActive` requests decode at once (the engine batches them
// step by step), up to `maxQueued` wait, and beyond that a request is refused at once as 'busy'.
import { ServiceError } from './errors.ts';

export interface AdmissionQueueOptions {
  maxActive: number;
  maxQueued: number;
  onChange?: (active: number, queued: number) => void;
}

interface Waiter {
  start: () => void;
}

export class AdmissionQueue {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly options: AdmissionQueueOptions) {}

  get depth(): { active: number; queued: number } {
    return { active: this.active, queued: this.waiting.length };
  }

  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.admit(signal);
    try {
      return await fn();
    } finally {
      this.active--;
      const next = this.waiting.shift();
      if (next) next.start();
      this.changed();
    }
  }

  private admit(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new ServiceError('cancelled', 'request cancelled'));
    if (this.active < this.options.maxActive) {
      this.active++;
      this.changed();
      return Promise.resolve();
    }
    if (this.waiting.length >= this.options.maxQueued) {
      return Promise.reject(new ServiceError('busy', 'the server is busy: too many requests queued, try again shortly'));
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        this.changed();
        reject(new ServiceError('cancelled', 'request cancelled while queued'));
      };
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.active++;
          resolve();
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.changed();
    });
  }

  private changed(): void {
    this.options.onChange?.(this.active, this.waiting.length);
  }
}
