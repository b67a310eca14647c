// ONNX Runtime sessions for training graphs: the public onnxruntime-node API, sequential execution,
// MLAS' intra-op threads without spinning (spinning workers steal the cores other jobs need).
import * as ort from 'onnxruntime-node';
import { parseThreadsEnv } from '../backend.ts';

export { ort };

export interface SessionOptions {
  /** Intra-op threads; default PARLEY_THREADS, else 2 (e.g. 1 each when two trainings share two cores). */
  threads?: number;
  /**
   * ORT graph optimisations. Default 'basic': on an 18.7M-parameter LSTM it created 9 sessions in 21 s
   * instead of 31 s ('all'), with the same step time; 'all' adds nothing measurable on these graphs.
   */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * ORT's CPU arena and memory pattern. Off by default: every session keeps its own arena, as large as
   * its peak activations, so a corpus' many batch shapes add up (bench/train-memory.ts: an 18.7M-
   * parameter seq2seq-lstm reached 8.4 GiB RSS with 9 sessions, 1.7 GiB with the arena off). With it off,
   * freed activations go back to malloc and are shared by all sessions; on one fixed shape the arena
   * is faster (README.md here), which `memoryArena: true` keeps for benchmarks and one-shape runs.
   */
  memoryArena?: boolean;
  /** Write ORT's per-node profile (JSON) to files starting with this path when the session is released. */
  profilePrefix?: string;
}

export async function createTrainingSession(bytes: Uint8Array, o: SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: o.threads ?? parseThreadsEnv(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: o.optimization ?? 'basic',
    enableCpuMemArena: o.memoryArena ?? false,
    enableMemPattern: o.memoryArena ?? false,
    ...(o.profilePrefix ? { enableProfiling: true, profileFilePrefix: o.profilePrefix } : {}),
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
}
