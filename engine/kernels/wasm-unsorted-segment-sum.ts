// UnsortedSegmentSum for the tfjs wasm backend, which lacks it (so the gradient of gather, i.e. of
// every embedding lookup, throws). Semantics follow tfjs-backend-cpu / TensorFlow: out-of-range ids drop.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type KernelArgs = Parameters<tf.KernelFunc>[0];

function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const backend = args.backend as BackendWasm;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: dtype ${x.dtype} unsupported`);
  const idRank = segmentIds.shape.length;
  if (segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape ${segmentIds.shape} is not a prefix of x shape ${x.shape}`);
  }
  const inner = x.shape.slice(idRank); // each id selects a block of this shape
  const innerSize = inner.reduce((p, d) => p * d, 1);
  const out = backend.makeOutput([numSegments, ...inner], x.dtype); // [numSegments, ...inner]
  // Views after makeOutput: the malloc may have grown the heap.
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  const outs = backend.typedArrayFromHeap(out);
  outs.fill(0); // malloc'd memory is not zeroed
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * innerSize;
    const dst = s * innerSize;
    for (let j = 0; j < innerSize; j++) outs[dst + j] += xs[src + j];
  }
  return out;
}

/** Registers the kernel for 'wasm' unless the installed package already has one. */
export function installWasmUnsortedSegmentSum(): void {
  if (tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) return;
  tf.registerKernel({
    kernelName: tf.UnsortedSegmentSum,
    backendName: 'wasm',
    kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
  });
}
