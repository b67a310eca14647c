// Picks and reports the TensorFlow.js backend: tfjs-node if installed, else wasm (with Parley's kernel
// fixes and the native matmul route), else the pure-JS cpu backend. Issue 2, "Backend".
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { installWasmBatchMatMul } from './kernels/wasm-batch-mat-mul.ts';
import { installWasmUnsortedSegmentSum } from './kernels/wasm-unsorted-segment-sum.ts';
import { loadNativeMatMul, type NativeMatMul } from './kernels/native-matmul.ts';
import { installWasmNativeUnary } from './kernels/wasm-native-unary.ts';
import { registerCoreGradients } from './kernels/core-gradients.ts';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendOptions {
  /** Forces a backend; beats PARLEY_BACKEND, which beats the automatic choice. */
  backend?: BackendName;
  /** Native matmul route on wasm; beats PARLEY_NATIVE_MATMUL ('0' | '1'); default on. */
  nativeMatMul?: boolean;
  /** No start-up line on stderr. */
  quiet?: boolean;
}

export interface BackendInfo {
  name: BackendName;
  /** Threads of the backend itself (wasm: 1 under Node, where the threaded build is disabled). */
  threads: number;
  /** Float32 matmuls of >= nativeMatMulMinRows rows run on onnxruntime's MLAS GEMM. */
  nativeMatMul: boolean;
  nativeMatMulThreads: number;
  nativeMatMulMinRows: number;
  /** Why the native route is off, when it is. */
  nativeMatMulNote?: string;
  /** tfjs-core version. */
  version: string;
}

const NATIVE_MIN_ROWS = 8;
/** Default intra-op threads for the native route; PARLEY_THREADS overrides it (e.g. 1 per job when two trainings share two cores). */
const NATIVE_THREADS = 2;
const TFJS_NODE = '@tensorflow/tfjs-node';

let started: Promise<BackendInfo> | null = null;
let native: NativeMatMul | null = null;

function parseBackendEnv(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(BACKEND_NAMES as readonly string[]).includes(value)) {
    throw new Error(`PARLEY_BACKEND=${value} is not one of ${BACKEND_NAMES.join(', ')}`);
  }
  return value as BackendName;
}

/** Intra-op threads for native kernels (the wasm route's MatMul, ORT training sessions): PARLEY_THREADS or 2. */
export function parseThreadsEnv(value: string | undefined = process.env.PARLEY_THREADS): number {
  if (value === undefined || value === '') return NATIVE_THREADS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`PARLEY_THREADS=${value} must be an integer from 1 to 256`);
  return n;
}

function parseNativeEnv(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== '0' && value !== '1') throw new Error(`PARLEY_NATIVE_MATMUL=${value} must be 0 or 1`);
  return value === '1';
}

async function tryTensorflow(): Promise<string | null> {
  try {
    // A variable specifier: the package is optional and has no types here.
    const specifier: string = TFJS_NODE;
    await import(specifier);
  } catch (err) {
    return `${TFJS_NODE} not loadable: ${(err as Error).message.split('\n')[0]}`;
  }
  if (!(await tf.setBackend('tensorflow'))) return `${TFJS_NODE} loaded but its backend failed to start`;
  return null;
}

async function tryWasm(): Promise<string | null> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries sit beside the package's node bundle; resolve from here, not from the cwd.
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(entry) + path.sep);
  } catch (err) {
    return `@tensorflow/tfjs-backend-wasm not loadable: ${(err as Error).message}`;
  }
  if (!(await tf.setBackend('wasm'))) return 'the wasm backend failed to start';
  installWasmUnsortedSegmentSum();
  installWasmBatchMatMul({ route: 'transpose' });
  return null;
}

async function startCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to start');
}

/** Turns the ORT route on for wasm when wanted and possible; returns the note when it stays off. */
function enableNative(wanted: boolean | undefined, forced: boolean, threads: number): string | undefined {
  if (wanted === false) return 'off by request';
  const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
  if (typeof SharedArrayBuffer !== 'undefined' && heap.buffer instanceof SharedArrayBuffer) {
    if (forced) throw new Error('native matmul needs the single-thread wasm build (zero-copy heap views)');
    return 'threaded wasm build: heap views are not zero-copy';
  }
  try {
    native ??= loadNativeMatMul({ threads });
  } catch (err) {
    if (forced) throw err;
    return (err as Error).message;
  }
  installWasmBatchMatMul({ route: 'native', native, minRows: NATIVE_MIN_ROWS });
  installWasmNativeUnary(native);
  return undefined;
}

async function start(options: BackendOptions): Promise<BackendInfo> {
  const forced = options.backend ?? parseBackendEnv(process.env.PARLEY_BACKEND);
  if (forced !== undefined && !BACKEND_NAMES.includes(forced)) {
    throw new Error(`backend ${String(forced)} is not one of ${BACKEND_NAMES.join(', ')}`);
  }
  const nativeWanted = options.nativeMatMul ?? parseNativeEnv(process.env.PARLEY_NATIVE_MATMUL);
  const threads = parseThreadsEnv(process.env.PARLEY_THREADS);
  await registerCoreGradients();
  // The cpu backend is always registered: tests and benchmarks compare against it.
  await import('@tensorflow/tfjs-backend-cpu');
  let name: BackendName = 'cpu';
  const skipped: string[] = [];
  for (const candidate of forced ? [forced] : BACKEND_NAMES) {
    const failure = candidate === 'tensorflow' ? await tryTensorflow()
      : candidate === 'wasm' ? await tryWasm()
      : (await startCpu(), null);
    if (failure === null) { name = candidate; break; }
    if (forced) throw new Error(`backend ${forced} was requested but is unavailable: ${failure}`);
    skipped.push(failure);
  }
  const note = name === 'wasm' ? enableNative(nativeWanted, nativeWanted === true, threads) : 'wasm only';
  const info: BackendInfo = {
    name,
    threads: name === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : 1,
    nativeMatMul: note === undefined,
    nativeMatMulThreads: note === undefined ? native!.threads : 0,
    nativeMatMulMinRows: NATIVE_MIN_ROWS,
    ...(note === undefined ? {} : { nativeMatMulNote: note }),
    version: tf.version_core,
  };
  if (!options.quiet) {
    const route = info.nativeMatMul
      ? `, native matmul on (onnxruntime ${native!.version}, ${info.nativeMatMulThreads} thread${info.nativeMatMulThreads === 1 ? '' : 's'}, >= ${NATIVE_MIN_ROWS} rows)`
      : name === 'wasm' ? `, native matmul off (${note})` : '';
    process.stderr.write(`parley: tfjs ${info.version} backend ${name} (${info.threads} thread${info.threads === 1 ? '' : 's'}${route})\n`);
  }
  return info;
}

/**
 * Starts the fastest available backend (or the forced one) once per process; later calls return the
 * same info. A later call that forces a different backend is refused rather than silently ignored.
 */
export function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  if (started) {
    const requested = options.backend;
    return started.then((info) => {
      if (requested !== undefined && requested !== info.name) {
        throw new Error(`initBackend: backend ${info.name} already started; cannot switch to ${requested}`);
      }
      return info;
    });
  }
  started = start(options).catch((err: unknown) => {
    started = null;
    throw err;
  });
  return started;
}

/** The native GEMM the wasm route uses, when active (benchmarks switch routes with it). */
export function nativeMatMulInstance(): NativeMatMul | null {
  return native;
}
