// Lets a kernel written as plain JS loops run on both the cpu and the wasm backend: it hands the loop
// typed-array views of the inputs (the wasm heap or the cpu backend's arrays) and of fresh outputs.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type KernelArgs = Parameters<tf.KernelFunc>[0];
export type HostArray = Float32Array | Int32Array;

/** The backends whose tensors live in JS-reachable memory. */
export const HOST_BACKENDS = ['cpu', 'wasm'] as const;

interface CpuBackend {
  readSync(dataId: tf.DataId): HostArray;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

/** Runs `body` on views of the named inputs and of fresh float32 outputs of `shapes`. */
export function withHostArrays(
  args: KernelArgs,
  o: { inputs: string[]; outputs: number[][] },
  body: (ins: HostArray[], outs: Float32Array[]) => void,
): tf.TensorInfo[] {
  const inputs = o.inputs.map((n) => (args.inputs as Record<string, tf.TensorInfo>)[n]!);
  const bad = inputs.find((x) => x.dtype !== 'float32' && x.dtype !== 'int32');
  if (bad) throw new Error(`host kernel: dtype ${bad.dtype} unsupported`);
  if (tf.getBackend() === 'wasm') {
    const backend = args.backend as BackendWasm;
    const outs = o.outputs.map((s) => backend.makeOutput(s, 'float32'));
    // Views after every makeOutput: a malloc may grow the heap and detach earlier views.
    const view = (x: tf.TensorInfo) => backend.typedArrayFromHeap(x) as HostArray;
    body(inputs.map(view), outs.map((x) => view(x) as Float32Array));
    return outs;
  }
  const backend = args.backend as unknown as CpuBackend;
  const outs = o.outputs.map((s) => new Float32Array(s.reduce((p, d) => p * d, 1)));
  body(inputs.map((x) => backend.readSync(x.dataId)), outs);
  return outs.map((values, i) => backend.makeTensorInfo(o.outputs[i]!, 'float32', values));
}

/** Registers a host kernel for every host backend, once. */
export function registerHostKernel(kernelName: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo[]): void {
  for (const backendName of HOST_BACKENDS) {
    if (tf.getKernel(kernelName, backendName)) continue;
    tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}

let enabled = true;

/** Switches the fused host kernels off (op-by-op code everywhere), e.g. to measure what they gain. */
export function setHostKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** Whether fused code may run: enabled, and a backend whose memory JS reaches (not tfjs-node, webgl). */
export function hostKernelsAvailable(): boolean {
  return enabled && (HOST_BACKENDS as readonly string[]).includes(tf.getBackend());
}
