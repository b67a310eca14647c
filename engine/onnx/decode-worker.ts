// Decoding on ONNX Runtime in a worker thread: session.run blocks its thread, so the server submits
// requests here and its event loop keeps answering. The worker batches concurrent requests together.
import { Worker } from 'node:worker_threads';
import type { DecodeRequest } from '../decoding/scheduler.ts';
import type { DecodeResult, PartialHypothesis } from '../decoding/results.ts';
import type { WorkerError, WorkerInit, WorkerReply } from './decode-worker-protocol.ts';

export class DecodeWorkerError extends Error {
  readonly code: string | undefined;
  constructor(e: WorkerError) {
    super(e.message);
    this.name = e.name;
    this.code = e.code;
  }
}

interface Pending {
  resolve(r: DecodeResult): void;
  reject(e: Error): void;
  onPartial?: (p: PartialHypothesis) => void;
  /** Unhooks the request's abort listener once it has settled. */
  unlisten(): void;
}

/**
 * The worker runs TypeScript through tsx's loader, registered inside the worker (loader flags in
 * execArgv do not reach worker threads).
 */
function workerCode(): string {
  const api = import.meta.resolve('tsx/esm/api');
  const main = new URL('./decode-worker-main.ts', import.meta.url).href;
  return `(async () => { const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(main)}); })()`;
}

export class OrtDecodeWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closing: Promise<void> | null = null;
  /** Set once the thread has died (uncaught error, exit): later requests fail at once instead of hanging. */
  private dead: Error | null = null;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: WorkerReply) => this.receive(m));
    worker.on('error', (e) => this.die(e));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.die(new Error(`decode worker exited (code ${code})`));
        resolve();
      });
    });
  }

  /** Start a worker on a model directory's export, or on graphs built in memory. */
  static start(init: WorkerInit): Promise<OrtDecodeWorker> {
    const worker = new Worker(workerCode(), { eval: true, workerData: init });
    return new Promise((resolve, reject) => {
      const first = (m: WorkerReply) => {
        worker.off('error', reject);
        if (m.type === 'ready') resolve(new OrtDecodeWorker(worker));
        else if (m.type === 'failed') void worker.terminate().then(() => reject(new DecodeWorkerError(m.error)));
      };
      worker.once('message', first);
      worker.once('error', reject);
    });
  }

  /** Decode one request in the worker; its signal cancels it there. */
  submit(request: DecodeRequest): Promise<DecodeResult> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.closing) return Promise.reject(new Error('decode worker is closed'));
    const id = this.nextId++;
    const { signal, onPartial, ...plain } = request;
    return new Promise<DecodeResult>((resolve, reject) => {
      const onAbort = () => this.worker.postMessage({ type: 'cancel', id });
      const unlisten = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, { resolve, reject, onPartial, unlisten });
      this.worker.postMessage({ type: 'decode', id, request: plain, partials: onPartial !== undefined });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
    });
  }

  private receive(m: WorkerReply): void {
    if (m.type === 'closed') return;
    if (m.type !== 'result' && m.type !== 'error' && m.type !== 'partial') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'partial') return p.onPartial?.(m.partial as PartialHypothesis);
    this.pending.delete(m.id);
    p.unlisten();
    if (m.type === 'result') p.resolve(m.result as DecodeResult);
    else p.reject(new DecodeWorkerError(m.error));
  }

  private die(e: Error): void {
    this.dead ??= e;
    for (const p of this.pending.values()) {
      p.unlisten();
      p.reject(e);
    }
    this.pending.clear();
  }

  /** Let running requests finish, then stop the worker (at once when the thread has already died). */
  close(): Promise<void> {
    this.closing ??= this.dead
      ? this.exited
      : new Promise<void>((resolve) => {
          const done = (m: WorkerReply) => {
            if (m.type !== 'closed') return;
            this.worker.off('message', done);
            void this.worker.terminate().then(() => resolve());
          };
          this.worker.on('message', done);
          void this.exited.then(resolve);
          this.worker.postMessage({ type: 'close' });
        });
    return this.closing;
  }
}
