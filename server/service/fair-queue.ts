// Bounded, fair admission for one model. Requests decode together while their rows (beam size, samples;
// 1 for greedy) fit in `maxRows` — the engine batches that many rows step by step, so requests beyond it
// would only wait in the engine's first-come queue — and up to `maxQueued` requests wait here. One client
// (address) holds at most half the rows (clientShare), so a long wide decode always leaves room for
// someone else's request. Waiting requests are kept per client and started round-robin between clients, so a client
// that sends many requests delays its own, not others'. When the queue is full, a newcomer takes the
// place of the newest request of the client with the most waiting (that one is refused as 'busy'); a
// newcomer from that very client is refused instead.
import { ServiceError } from './errors.ts';

export interface FairQueueOptions {
  /** Rows decoding at once. */
  maxRows: number;
  /** The part of maxRows one client may hold (default 0.5); a request wider than that runs alone. */
  clientShare?: number;
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
  private readonly clientRows = new Map<string, number>();
  private queued = 0;
  /** Each client's waiters, oldest first; the map's order is the round-robin order. */
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(private readonly options: FairQueueOptions) {}

  get depth(): { active: number; queued: number } {
    return { active: this.active, queued: this.queued };
  }

  /** Whether a request from `client` arriving now would be started or queued rather than refused as busy. */
  admits(client: string, rows: number): boolean {
    return (this.queued === 0 && this.fits(client, rows)) || this.queued < this.options.maxQueued || this.heaviestOther(client) !== null;
  }

  async run<T>(client: string, rows: number, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.admit(client, rows, signal);
    try {
      return await fn();
    } finally {
      this.active--;
      this.activeRows -= rows;
      const left = this.clientRows.get(client)! - rows;
      if (left > 0) this.clientRows.set(client, left);
      else this.clientRows.delete(client);
      this.startWaiting();
      this.changed();
    }
  }

  private fits(client: string, rows: number): boolean {
    return this.active === 0 || (this.activeRows + rows <= this.options.maxRows && this.withinShare(client, rows));
  }

  private withinShare(client: string, rows: number): boolean {
    const share = Math.max(1, Math.floor(this.options.maxRows * (this.options.clientShare ?? 0.5)));
    return (this.clientRows.get(client) ?? 0) + rows <= share;
  }

  private begin(client: string, rows: number): void {
    this.active++;
    this.activeRows += rows;
    this.clientRows.set(client, (this.clientRows.get(client) ?? 0) + rows);
  }

  private admit(client: string, rows: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new ServiceError('cancelled', 'request cancelled'));
    if (this.queued === 0 && this.fits(client, rows)) {
      this.begin(client, rows);
      this.changed();
      return Promise.resolve();
    }
    if (this.queued >= this.options.maxQueued && !this.shedFor(client)) return Promise.reject(busy());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        rows,
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.begin(client, rows);
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
      // It may fit where the head of the turn does not (that one waits for its client's share or for rows).
      this.startWaiting();
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
   * Starts the oldest waiter of each client in turn whose rows fit; a started client goes to the back of
   * the turn. A client at its share is passed over; a head that does not fit the free rows stops the turn
   * until rows free (it is not skipped, so wide requests run too).
   */
  private startWaiting(): void {
    let started = true;
    while (started) {
      started = false;
      for (const [client, list] of this.waiting) {
        const rows = list[0]!.rows;
        if (this.active > 0 && !this.withinShare(client, rows)) continue;
        if (!this.fits(client, rows)) return;
        const waiter = list.shift()!;
        this.waiting.delete(client);
        if (list.length > 0) this.waiting.set(client, list);
        this.queued--;
        waiter.start();
        started = true;
        break;
      }
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
