// A resumable training checkpoint: parameters, Adam moments, step, RNG state and the caller's data
// position in one binary and one pointer file (training/checkpoint.json), switched atomically, so a
// kill at any moment resumes from the last complete checkpoint with the same data order.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Trainer } from '../training/trainer.ts';
import { writeFileAtomic } from './atomic.ts';
import { readJson } from './model-dir.ts';
import { CheckpointError, readWeights, removeStaleWeights, writeWeights, type WeightsManifest } from './weights.ts';

interface CheckpointFile<D> {
  step: number;
  rngState: number;
  data: D;
  weights: WeightsManifest;
}

const trainingDir = (dir: string) => path.join(dir, 'training');

export function hasTrainingCheckpoint(dir: string): boolean {
  return existsSync(path.join(trainingDir(dir), 'checkpoint.json'));
}

export async function saveTrainingCheckpoint<D>(dir: string, trainer: Trainer, data: D): Promise<void> {
  const tdir = trainingDir(dir);
  mkdirSync(tdir, { recursive: true });
  const tensors: [string, tf.Tensor][] = [
    ...trainer.model.params.entries().map(([n, v]) => [`param/${n}`, v] as [string, tf.Tensor]),
    ...[...trainer.optimizer.m].map(([n, v]) => [`adam_m/${n}`, v] as [string, tf.Tensor]),
    ...[...trainer.optimizer.v].map(([n, v]) => [`adam_v/${n}`, v] as [string, tf.Tensor]),
  ];
  const weights = await writeWeights(tdir, 'state', tensors);
  const file: CheckpointFile<D> = { step: trainer.optimizer.t, rngState: trainer.rng.state, data, weights };
  writeFileAtomic(path.join(tdir, 'checkpoint.json'), `${JSON.stringify(file)}\n`);
  removeStaleWeights(tdir, 'state', weights.weightsManifest[0].paths);
}

/** Restore parameters, optimizer and RNG into `trainer`; returns the saved data position and step. */
export function loadTrainingCheckpoint<D>(dir: string, trainer: Trainer): { step: number; data: D } {
  const tdir = trainingDir(dir);
  const pointer = path.join(tdir, 'checkpoint.json');
  const file = readJson(pointer) as CheckpointFile<D>;
  if (typeof file?.step !== 'number' || typeof file.rngState !== 'number') throw new CheckpointError(`${pointer}: not a training checkpoint`);
  const tensors = readWeights(tdir, file.weights, pointer);
  try {
    const pick = (prefix: string) =>
      new Map([...tensors].filter(([n]) => n.startsWith(prefix)).map(([n, t]) => [n.slice(prefix.length), t]));
    trainer.model.params.assign(pick('param/'));
    for (const [kind, store] of [['adam_m/', trainer.optimizer.m], ['adam_v/', trainer.optimizer.v]] as const) {
      const values = pick(kind);
      for (const [name, v] of store) {
        const t = values.get(name);
        if (!t || !tf.util.arraysEqual(t.shape, v.shape)) throw new CheckpointError(`${pointer}: optimizer state for "${name}" is missing or misshapen`);
        v.assign(t);
      }
    }
  } catch (e) {
    throw e instanceof CheckpointError ? e : new CheckpointError(`${pointer}: ${(e as Error).message}`);
  } finally {
    tf.dispose([...tensors.values()]);
  }
  trainer.optimizer.t = file.step;
  trainer.rng.state = file.rngState;
  return { step: file.step, data: file.data };
}
