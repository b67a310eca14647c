// Test helper: run the same computation on two backends from plain arrays and compare the results.
import * as tf from '@tensorflow/tfjs-core';

export interface Plain {
  shape: number[];
  values: Float32Array | Int32Array;
  dtype: 'float32' | 'int32';
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32). */
export function randomValues(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function plain(shape: number[], seed: number): Plain {
  return { shape, values: randomValues(shape.reduce((p, d) => p * d, 1), seed), dtype: 'float32' };
}

/** Runs fn on the given backend with fresh tensors from the inputs; returns the outputs' values. */
export function runOn(backend: string, inputs: Plain[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Float32Array[] {
  void tf.setBackend(backend); // both backends are initialised already, so the switch is immediate
  if (tf.getBackend() !== backend) throw new Error(`backend ${backend} is not active`);
  return tf.tidy(() => {
    const xs = inputs.map((p) => tf.tensor(p.values, p.shape, p.dtype));
    const ys = fn(...xs);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => y.dataSync() as Float32Array);
  });
}

/** max |a - b| / max(1e-6, max |b|): relative to the reference's scale. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}
