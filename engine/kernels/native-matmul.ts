// Native float32 GEMM through onnxruntime-node's MLAS kernels: cached one-node MatMul sessions run
// synchronously through the package's internal binding (a tfjs kernel must return synchronously).
import { createRequire } from 'node:module';
import { gemmModelBytes, matMulModelBytes, unaryModelBytes, type UnaryOp } from './onnx-matmul-model.ts';

/** The binding's synchronous run (dist/binding.js) is internal API: checked against this version. */
export const PINNED_ORT_VERSION = '1.30.0';

interface OrtTensor {
  readonly dims: readonly number[];
}
type OrtTensorCtor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
interface BindingSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor | null>, options: object): unknown;
  dispose(): void;
}
interface OrtBindingModule {
  binding: { InferenceSession: new () => BindingSession };
  initOrt: () => void;
}

/** A float32 operand: data (may be a view into the wasm heap) and its shape. */
export interface GemmOperand {
  data: Float32Array;
  dims: readonly number[];
}

export interface GemmOperands {
  a: GemmOperand;
  b: GemmOperand;
  out: GemmOperand;
}

export interface NativeMatMul {
  readonly version: string;
  readonly threads: number;
  /** out = a · b with numpy batch broadcasting; rank 2 or 3, written in place into out.data. */
  run(operands: GemmOperands): void;
  /** out [m, n] = op(a) · op(b) for rank-2 operands, op transposing as asked (in MLAS, not in JS). */
  gemm(operands: GemmOperands & { transposeA: boolean; transposeB: boolean }): void;
  /** out = op(x) element-wise over equal-length vectors (MLAS' vectorised tanh, exp, logistic). */
  unary(op: UnaryOp, x: Float32Array, out: Float32Array): void;
  dispose(): void;
}

export interface NativeMatMulOptions {
  /** ONNX Runtime intra-op threads; 2 uses the core the single-thread wasm build leaves idle. */
  threads?: number;
}

function loadOrt(): { ort: { Tensor: OrtTensorCtor }; binding: OrtBindingModule; version: string } {
  const require = createRequire(import.meta.url);
  const indexPath = require.resolve('onnxruntime-node');
  const pkg = require(indexPath.replace(/dist[\\/]index\.js$/, 'package.json')) as { version: string };
  if (pkg.version !== PINNED_ORT_VERSION) {
    throw new Error(
      `native matmul: onnxruntime-node ${pkg.version} found, but its internal synchronous binding ` +
        `is only verified for ${PINNED_ORT_VERSION}; set PARLEY_NATIVE_MATMUL=0 or pin the version`,
    );
  }
  const ort = require(indexPath) as { Tensor: OrtTensorCtor };
  const binding = require(indexPath.replace(/index\.js$/, 'binding.js')) as OrtBindingModule;
  if (typeof binding.initOrt !== 'function' || typeof binding.binding?.InferenceSession !== 'function') {
    throw new Error('native matmul: onnxruntime-node/dist/binding.js no longer exposes initOrt/binding');
  }
  return { ort, binding, version: pkg.version };
}

/** Loads onnxruntime-node and builds the rank-2 and rank-3 sessions; throws if unavailable. */
export function loadNativeMatMul(options: NativeMatMulOptions = {}): NativeMatMul {
  const threads = options.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`native matmul: bad threads ${threads}`);
  const { ort, binding, version } = loadOrt();
  binding.initOrt();
  const sessionOptions = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Spinning workers steal the core the JS thread needs between kernels: two threads end slower.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  const sessions = new Map<string, BindingSession>();
  const sessionFor = (key: string, model: () => Uint8Array): BindingSession => {
    let s = sessions.get(key);
    if (!s) {
      const bytes = model();
      s = new binding.binding.InferenceSession();
      s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, sessionOptions);
      sessions.set(key, s);
    }
    return s;
  };
  const runOptions = {};
  // Passing a preallocated output makes ORT write straight into out.data (no copy back).
  const runSession = (session: BindingSession, { a, b, out }: GemmOperands) =>
    session.run(
      { A: new ort.Tensor('float32', a.data, a.dims), B: new ort.Tensor('float32', b.data, b.dims) },
      { Y: new ort.Tensor('float32', out.data, out.dims) },
      runOptions,
    );
  return {
    version,
    threads,
    run(operands) {
      const { a, b, out } = operands;
      const rank = a.dims.length;
      if ((rank !== 2 && rank !== 3) || b.dims.length !== rank || out.dims.length !== rank) {
        throw new Error(`native matmul: ranks ${a.dims.length}/${b.dims.length}/${out.dims.length} unsupported`);
      }
      runSession(sessionFor(`matmul${rank}`, () => matMulModelBytes(rank)), operands);
    },
    gemm(operands) {
      const { a, b, out, transposeA, transposeB } = operands;
      if (a.dims.length !== 2 || b.dims.length !== 2 || out.dims.length !== 2) {
        throw new Error(`native gemm: ranks ${a.dims.length}/${b.dims.length}/${out.dims.length} are not 2`);
      }
      const key = `gemm${+transposeA}${+transposeB}`;
      runSession(sessionFor(key, () => gemmModelBytes(transposeA, transposeB)), operands);
    },
    unary(op, x, out) {
      if (x.length !== out.length) throw new Error(`native ${op}: lengths ${x.length} and ${out.length} differ`);
      const session = sessionFor(`unary${op}`, () => unaryModelBytes(op));
      session.run(
        { X: new ort.Tensor('float32', x, [x.length]) },
        { Y: new ort.Tensor('float32', out, [out.length]) },
        runOptions,
      );
    },
    dispose() {
      for (const s of sessions.values()) s.dispose();
      sessions.clear();
    },
  };
}
