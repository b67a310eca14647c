// Replacement BatchMatMul for the tfjs wasm backend. The original kernel runs XNNPACK only for
// unbatched untransposed operands and a scalar triple loop otherwise; this one transposes first (wasm
// Transpose) and optionally sends products of >= minRows output rows to onnxruntime's native GEMM.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeMatMul } from './native-matmul.ts';

/** original: the package's kernel; transpose: transpose-then-XNNPACK; native: plus the ORT route. */
export type WasmMatMulRoute = 'original' | 'transpose' | 'native';

interface RouteState {
  route: WasmMatMulRoute;
  native: NativeMatMul | null;
  minRows: number;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

let original: tf.KernelConfig | null = null;
const state: RouteState = { route: 'transpose', native: null, minRows: 8 };

/** Swaps the last two dims of x with the wasm Transpose kernel; the caller disposes the result. */
function transposeLast2(x: tf.TensorInfo, backend: BackendWasm): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  const transpose = tf.getKernel(tf.Transpose, 'wasm').kernelFunc;
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

const sizeOf = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

interface MatMulCall {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  backend: BackendWasm;
}

/**
 * op(a) [...batchA, m, k] · op(b) [...batchB, k, n] on ORT, for float32 inputs whose flattened batches
 * are equal or 1 (what a rank-3 MatMul broadcasts); null when the shape does not fit. Unbatched
 * products go to Gemm with its transA/transB; batched ones are transposed on wasm first.
 */
function nativeMatMul(call: MatMulCall): tf.TensorInfo | null {
  const { a, b, transposeA, transposeB, backend } = call;
  const native = state.native!;
  const [a0, a1] = a.shape.slice(-2) as [number, number];
  const [b0, b1] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [a1, a0] : [a0, a1];
  const n = transposeB ? b0 : b1;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  if (m * k * n === 0) return null;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  // Views only after every malloc (makeOutput, transposes): a malloc may grow the heap and detach them.
  const view = (x: tf.TensorInfo) => backend.typedArrayFromHeap(x) as Float32Array;
  if (batch === 1) {
    const out = backend.makeOutput([...outer, m, n], 'float32');
    native.gemm({
      a: { data: view(a), dims: [a0, a1] },
      b: { data: view(b), dims: [b0, b1] },
      out: { data: view(out), dims: [m, n] },
      transposeA,
      transposeB,
    });
    return out;
  }
  const a2 = transposeA ? transposeLast2(a, backend) : a; // [..., m, k]
  const b2 = transposeB ? transposeLast2(b, backend) : b; // [..., k, n]
  try {
    const out = backend.makeOutput([...outer, m, n], 'float32');
    native.run({
      a: { data: view(a2), dims: [batchA, m, k] },
      b: { data: view(b2), dims: [batchB, k, n] },
      out: { data: view(out), dims: [batch, m, n] },
    });
    return out;
  } finally {
    if (a2 !== a) backend.disposeData(a2.dataId);
    if (b2 !== b) backend.disposeData(b2.dataId);
  }
}

/** Transposes on wasm, then the package's kernel on its XNNPACK path. */
function transposeThenOriginal(call: MatMulCall): tf.TensorInfo {
  const { a, b, transposeA, transposeB, backend } = call;
  const a2 = transposeA ? transposeLast2(a, backend) : a; // [..., m, k]
  const b2 = transposeB ? transposeLast2(b, backend) : b; // [..., k, n]
  try {
    const attrs = { transposeA: false, transposeB: false };
    return original!.kernelFunc({ inputs: { a: a2, b: b2 }, backend, attrs }) as tf.TensorInfo;
  } finally {
    if (a2 !== a) backend.disposeData(a2.dataId);
    if (b2 !== b) backend.disposeData(b2.dataId);
  }
}

function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const backend = args.backend as BackendWasm;
  const call: MatMulCall = { a, b, transposeA, transposeB, backend };
  if (state.route === 'original' || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return original!.kernelFunc(args) as tf.TensorInfo;
  }
  // Output rows over the whole batch: the package's batched kernel is the scalar loop even untransposed.
  const m = transposeA ? a.shape[a.shape.length - 1]! : a.shape[a.shape.length - 2]!;
  const rows = m * Math.max(sizeOf(a.shape.slice(0, -2)), sizeOf(b.shape.slice(0, -2)));
  if (state.route === 'native' && state.native !== null && rows >= state.minRows) {
    const out = nativeMatMul(call);
    if (out) return out;
  }
  if (!transposeA && !transposeB) return original!.kernelFunc(args) as tf.TensorInfo;
  return transposeThenOriginal(call);
}

/**
 * Registers the replacement over the package's BatchMatMul for 'wasm' (once; later calls only change
 * the route). Call after `tf.setBackend('wasm')` so the original kernel's setup has run.
 */
export function installWasmBatchMatMul(options: Partial<RouteState> = {}): void {
  if (original === null) {
    original = tf.getKernel(tf.BatchMatMul, 'wasm');
    if (!original) throw new Error('wasm BatchMatMul kernel not registered: import @tensorflow/tfjs-backend-wasm first');
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel({
      kernelName: tf.BatchMatMul,
      backendName: 'wasm',
      kernelFunc: batchMatMul as unknown as tf.KernelFunc,
      // Keeps the original's cwrap set up if the wasm backend is ever re-initialised.
      setupFunc: original.setupFunc,
      disposeFunc: original.disposeFunc,
    });
  }
  setWasmMatMulRoute(options);
}

/** Changes the route of the installed kernel (benchmarks and tests compare routes in one process). */
export function setWasmMatMulRoute(options: Partial<RouteState>): void {
  const next = { ...state, ...options };
  if (!['original', 'transpose', 'native'].includes(next.route)) throw new Error(`unknown matmul route ${next.route}`);
  if (next.route === 'native' && next.native === null) throw new Error('matmul route "native" needs a NativeMatMul');
  if (!Number.isInteger(next.minRows) || next.minRows < 1) throw new Error(`bad minRows ${next.minRows}`);
  Object.assign(state, next);
}

export function wasmMatMulRoute(): Readonly<RouteState> {
  return { ...state };
}
