// Bounded, fair admission for one model. Requests decode together while their rows (beam size, samples;
// 1 for greedy) fit in `maxRows` — the engine batches that many rows step by step, so requests beyond it
// would only wait in the engine's first-come queue — and up to `maxQueued` requests wait here. Waiting
// requests are kept per client (address) and started round-robin between clients, so a client that
// sends many requests delays its own, not others'. When the queue is full, a newcomer takes the place of
// the newest request of the client with the most waiting (that one is refused as 'busy'); a newcomer
// from that very client is refused instead.
import { ServiceError } from './errors.ts';

export interface FairQueueOptions {
  /** Rows decoding at once; a request wider than this still runs, alone. */
  maxRows: number;
  maxQueued: number;
  onChange?: (active: number, queued: number) => void;
}

interface Waiter {
  rows: number;
  start: () => void;
  refuse: (error: ServiceError) => void;
}

const busy = () => new ServiceError('busy', 'the server is busy: too many requests queued, try again shortly');

export class FairQueue {
  private active = 0;
  private activeRows = 0;
  private queued = 0;
  /** Each client's waiters, oldest first; the map's order is the round-robin order. */
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(private readonly options: FairQueueOptions) {}

  get depth(): { active: number; queued: number } {
    return { active: this.active, queued: this.queued };
  }

  /** Whether a request from `client` arriving now would be started or queued rather than refused as busy. */
  admits(client: string, rows: number): boolean {
    return (this.queued === 0 && this.fits(rows)) || this.queued < this.options.maxQueued || this.heaviestOther(client) !== null;
  }

  async run<T>(client: string, rows: number, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.admit(client, rows, signal);
    try {
      return await fn();
    } finally {
      this.active--;
      this.activeRows -= rows;
      this.startWaiting();
      this.changed();
    }
  }

  /** Nobody waits behind a request that would fit: the queue is empty whenever rows are free for its head. */
  private fits(rows: number): boolean {
    return this.active === 0 || this.activeRows + rows <= this.options.maxRows;
  }

  private begin(rows: number): void {
    this.active++;
    this.activeRows += rows;
  }

  private admit(client: string, rows: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new ServiceError('cancelled', 'request cancelled'));
    if (this.queued === 0 && this.fits(rows)) {
      this.begin(rows);
      this.changed();
      return Promise.resolve();
    }
    if (this.queued >= this.options.maxQueued && !this.shedFor(client)) return Promise.reject(busy());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        rows,
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.begin(rows);
          resolve();
        },
        refuse: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        if (this.remove(client, waiter)) {
          // The head of the turn may fit now that this one no longer blocks it.
          this.startWaiting();
          this.changed();
        }
        reject(new ServiceError('cancelled', 'request cancelled while queued'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const own = this.waiting.get(client);
      if (own) own.push(waiter);
      else this.waiting.set(client, [waiter]);
      this.queued++;
      this.changed();
    });
  }

  /** The client with the most waiting, when taking one of its places leaves it still at least `client`'s share. */
  private heaviestOther(client: string): string | null {
    let heaviest: string | null = null;
    let most = 0;
    for (const [key, list] of this.waiting) {
      if (list.length > most) [heaviest, most] = [key, list.length];
    }
    const own = this.waiting.get(client)?.length ?? 0;
    return heaviest === null || heaviest === client || most <= own + 1 ? null : heaviest;
  }

  /** Refuses the newest waiter of the client with the most waiting, if that is not `client`'s own share. */
  private shedFor(client: string): boolean {
    const heaviest = this.heaviestOther(client);
    if (heaviest === null) return false;
    const list = this.waiting.get(heaviest)!;
    const victim = list[list.length - 1]!;
    this.remove(heaviest, victim);
    victim.refuse(busy());
    return true;
  }

  /**
   * Starts the oldest waiter of the next client in turn while its rows fit; that client goes to the back of
   * the turn. A head that does not fit waits for rows to free (it is not skipped, so wide requests run too).
   */
  private startWaiting(): void {
    for (;;) {
      const next = this.waiting.entries().next();
      if (next.done) return;
      const [client, list] = next.value;
      if (!this.fits(list[0]!.rows)) return;
      const waiter = list.shift()!;
      this.waiting.delete(client);
      if (list.length > 0) this.waiting.set(client, list);
      this.queued--;
      waiter.start();
    }
  }

  private remove(client: string, waiter: Waiter): boolean {
    const list = this.waiting.get(client);
    const i = list?.indexOf(waiter) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    if (list.length === 0) this.waiting.delete(client);
    this.queued--;
    return true;
  }

  private changed(): void {
    this.options.onChange?.(this.active, this.queued);
  }
}
