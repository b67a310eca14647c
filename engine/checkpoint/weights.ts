// Named float32 tensors ⇄ a TensorFlow.js weights manifest plus one binary file, written under a
// content-addressed name so that a manifest only ever points at a complete file. Weights may be stored
// as float16 (the manifest's `quantization`, as in TensorFlow.js) and come back as float32.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fromFloat16, toFloat16 } from './float16.ts';
import { writeFileAtomic } from './atomic.ts';

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  /** How the values are stored, when not as float32. */
  quantization?: { dtype: 'float16' };
}

export type WeightStorage = 'float32' | 'float16';

/** TensorFlow.js' weights manifest (one group), plus the binary's checksum. */
export interface WeightsManifest {
  weightsManifest: [{ paths: [string]; weights: WeightEntry[] }];
  sha256: string;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Write `<prefix>-<hash>.bin` in `dir` and return its manifest (not yet written anywhere). */
export async function writeWeights(dir: string, prefix: string, tensors: [string, tf.Tensor][], storage: WeightStorage = 'float32'): Promise<WeightsManifest> {
  const entries: WeightEntry[] = [];
  const chunks: (Float32Array | Uint16Array)[] = [];
  for (const [name, t] of tensors) {
    const values = (await t.data()) as Float32Array;
    if (storage === 'float16') {
      entries.push({ name, shape: t.shape, dtype: 'float32', quantization: { dtype: 'float16' } });
      chunks.push(toFloat16(values));
    } else {
      entries.push({ name, shape: t.shape, dtype: 'float32' });
      chunks.push(values);
    }
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    bytes.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), offset);
    offset += c.byteLength;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = `${prefix}-${sha256.slice(0, 16)}.bin`;
  if (!existsSync(path.join(dir, file))) writeFileAtomic(path.join(dir, file), bytes);
  return { weightsManifest: [{ paths: [file], weights: entries }], sha256 };
}

/** Read and verify the binary a manifest points to; returns tensors by name. `label` names the manifest in errors. */
export function readWeights(dir: string, manifest: WeightsManifest, label: string): Map<string, tf.Tensor> {
  const group = manifest?.weightsManifest?.[0];
  if (!group || !Array.isArray(group.weights) || typeof group.paths?.[0] !== 'string') {
    throw new CheckpointError(`${label}: not a weights manifest`);
  }
  const file = path.join(dir, path.basename(group.paths[0]));
  if (!existsSync(file)) throw new CheckpointError(`${label}: weights file ${file} is missing`);
  const bytes = readFileSync(file);
  const width = (w: WeightEntry) => (w.quantization?.dtype === 'float16' ? 2 : 4);
  const expected = group.weights.reduce((n, w) => n + width(w) * w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.length !== expected) {
    throw new CheckpointError(`${file}: ${bytes.length} bytes, but ${label} describes ${expected}`);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== manifest.sha256) {
    throw new CheckpointError(`${file}: checksum does not match ${label} (corrupt or partly written)`);
  }
  // Every entry is checked before any tensor exists, so a refused manifest leaks nothing.
  for (const w of group.weights) {
    if (w.dtype !== 'float32') throw new CheckpointError(`${label}: ${w.name} has unsupported dtype ${w.dtype}`);
    const q = w.quantization?.dtype;
    if (q !== undefined && q !== 'float16') throw new CheckpointError(`${label}: ${w.name} has unsupported quantization ${q}`);
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  const out = new Map<string, tf.Tensor>();
  let offset = 0;
  for (const w of group.weights) {
    const q = w.quantization?.dtype;
    const size = w.shape.reduce((a, b) => a * b, 1);
    const bytesOf = buffer.slice(offset, offset + size * width(w)); // a copy: entries need not be 4-byte aligned
    const values = q === 'float16' ? fromFloat16(new Uint16Array(bytesOf)) : new Float32Array(bytesOf);
    out.set(w.name, tf.tensor(values, w.shape, 'float32'));
    offset += size * width(w);
  }
  return out;
}

/** Delete `<prefix>-*.bin` files in `dir` other than `keep`. */
export function removeStaleWeights(dir: string, prefix: string, keep: string[]): void {
  for (const f of readdirSync(dir)) {
    if (f.startsWith(`${prefix}-`) && f.endsWith('.bin') && !keep.includes(f)) rmSync(path.join(dir, f), { force: true });
  }
}
