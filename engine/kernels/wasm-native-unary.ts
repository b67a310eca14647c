// Tanh, Exp and Sigmoid on the wasm backend, routed to onnxruntime's vectorised MLAS kernels for large
// tensors: wasm's scalar libm calls ran ~20–40 ns per element (attention's tanh over [B, S, A] at every
// decoder step, the softmax over the vocabulary), ORT's ~2. Small tensors keep the package's kernels.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeMatMul } from './native-matmul.ts';
import type { UnaryOp } from './onnx-matmul-model.ts';

/** Below this many elements the call overhead of an ORT session outweighs its faster math. */
export const NATIVE_UNARY_MIN_SIZE = 16384;

const OPS: Record<UnaryOp, string> = { Tanh: tf.Tanh, Exp: tf.Exp, Sigmoid: tf.Sigmoid };
const originals = new Map<string, tf.KernelConfig>();

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Replaces the wasm kernels; `native` null restores the package's kernels. */
export function installWasmNativeUnary(native: NativeMatMul | null): void {
  for (const [op, kernelName] of Object.entries(OPS) as [UnaryOp, string][]) {
    if (!originals.has(kernelName)) originals.set(kernelName, tf.getKernel(kernelName, 'wasm'));
    const original = originals.get(kernelName)!;
    tf.unregisterKernel(kernelName, 'wasm');
    if (!native) {
      tf.registerKernel(original);
      continue;
    }
    const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
      const x = (args.inputs as { x: tf.TensorInfo }).x;
      const size = x.shape.reduce((p, d) => p * d, 1);
      if (x.dtype !== 'float32' || size < NATIVE_UNARY_MIN_SIZE) return original.kernelFunc(args) as tf.TensorInfo;
      const backend = args.backend as BackendWasm;
      const out = backend.makeOutput(x.shape, 'float32');
      // Views after makeOutput: its malloc may have grown the heap.
      native.unary(op, backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array);
      return out;
    };
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}
