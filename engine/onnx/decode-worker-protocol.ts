// Messages between OrtDecodeWorker (main thread) and decode-worker-main.ts (worker thread).
import type { SchedulerOptions } from '../decoding/scheduler.ts';
import type { SpecialIds } from '../decoding/step-model.ts';
import type { OnnxGraphs } from './export-graphs.ts';
import type { OrtSessionOptions } from './ort-step-model.ts';

export interface WorkerInit {
  source: { modelDir: string } | { graphs: OnnxGraphs; specials: SpecialIds };
  session: Partial<OrtSessionOptions>;
  scheduler: Pick<SchedulerOptions, 'maxQueue' | 'maxBatchRows'>;
}

/** What crosses the thread boundary of a DecodeRequest: no signal, no callback. */
export interface WorkerDecodeRequest {
  source: number[];
  options?: unknown;
  context?: number[][];
  timeoutMs?: number;
}

export type WorkerRequest =
  | { type: 'decode'; id: number; request: WorkerDecodeRequest; partials: boolean }
  | { type: 'cancel'; id: number }
  | { type: 'close' };

export interface WorkerError {
  name: string;
  message: string;
  code?: string;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'failed'; error: WorkerError }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'partial'; id: number; partial: unknown }
  | { type: 'error'; id: number; error: WorkerError }
  | { type: 'closed' };
