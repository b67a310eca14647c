// ONNX Runtime sessions for training graphs: the public onnxruntime-node API, sequential execution,
// MLAS' intra-op threads without spinning (spinning workers steal the cores other jobs need).
import * as ort from 'onnxruntime-node';

export { ort };

export interface SessionOptions {
  threads?: number;
  /** ORT graph optimisations ('all' fuses and folds; measured in bench/train.ts). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** ORT's CPU arena and memory pattern (planned buffer reuse across runs); off trades speed for peak RSS. */
  memoryArena?: boolean;
  /** Write ORT's per-node profile (JSON) to files starting with this path when the session is released. */
  profilePrefix?: string;
}

export async function createTrainingSession(bytes: Uint8Array, o: SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: o.threads ?? 2,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: o.optimization ?? 'all',
    enableCpuMemArena: o.memoryArena ?? true,
    enableMemPattern: o.memoryArena ?? true,
    ...(o.profilePrefix ? { enableProfiling: true, profileFilePrefix: o.profilePrefix } : {}),
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
}
