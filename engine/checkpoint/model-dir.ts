// A model directory, the unit the trainer writes and the server loads: config.json (format version,
// model config, tokenizer reference, task), weights.json (TensorFlow.js weights manifest) and the
// weights binary it names. Loading checks names, shapes, sizes and checksum against the config.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, validateModelConfig, type ModelConfig } from '../config.ts';
import { Seq2Seq } from '../models/seq2seq.ts';
import { writeFileAtomic } from './atomic.ts';
import { CheckpointError, readWeights, removeStaleWeights, writeWeights, type WeightStorage, type WeightsManifest } from './weights.ts';

export const MODEL_FORMAT = 'parley-model';
export const MODEL_FORMAT_VERSION = 1;

export type Task = 'chat' | 'translate' | 'parse' | 'synthetic';

/** What config.json holds besides the model config. */
export interface ModelMeta {
  task?: Task;
  /** Tokenizer model file, relative to the directory. */
  tokenizer?: string;
  /** Free-form provenance: the command, corpus names, step. */
  [key: string]: unknown;
}

interface ConfigFile extends ModelMeta {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  model: ModelConfig;
}

export function readJson(file: string): unknown {
  if (!existsSync(file)) throw new CheckpointError(`${file} is missing`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Save a model's config and weights into `dir` (created if needed); float16 halves the weights' size. */
export async function saveModel(dir: string, model: Seq2Seq, meta: ModelMeta = {}, storage: WeightStorage = 'float32'): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const manifest = await writeWeights(dir, 'weights', model.params.entries(), storage);
  const config: ConfigFile = { ...meta, format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, model: model.config };
  writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(path.join(dir, 'weights.json'), `${JSON.stringify(manifest)}\n`);
  removeStaleWeights(dir, 'weights', manifest.weightsManifest[0].paths);
}

/** Read and validate config.json alone (cheap: for listing models). */
export function readModelConfig(dir: string): { config: ModelConfig; meta: ModelMeta } {
  const file = path.join(dir, 'config.json');
  const raw = readJson(file) as Partial<ConfigFile>;
  if (raw?.format !== MODEL_FORMAT) throw new CheckpointError(`${file}: not a Parley model (format "${String(raw?.format)}")`);
  if (raw.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new CheckpointError(`${file}: format version ${raw.formatVersion}, this Parley reads ${MODEL_FORMAT_VERSION}`);
  }
  const { format: _f, formatVersion: _v, model, ...meta } = raw;
  try {
    return { config: validateModelConfig(model), meta };
  } catch (e) {
    if (e instanceof ConfigError) throw new CheckpointError(`${file}: ${e.message}`);
    throw e;
  }
}

/** A model directory's weights by name, verified against weights.json (float16 widened); the caller disposes them. */
export function loadModelWeights(dir: string): Map<string, tf.Tensor> {
  const manifestFile = path.join(dir, 'weights.json');
  return readWeights(dir, readJson(manifestFile) as WeightsManifest, manifestFile);
}

/** Build the model a directory describes and load its weights; refuses anything that does not fit. */
export function loadModel(dir: string): { model: Seq2Seq; meta: ModelMeta } {
  const { config, meta } = readModelConfig(dir);
  const weights = loadModelWeights(dir);
  const model = new Seq2Seq(config);
  try {
    model.params.assign(weights);
  } catch (e) {
    model.dispose();
    throw new CheckpointError(`${path.join(dir, 'weights.json')}: does not fit config.json: ${(e as Error).message}`);
  } finally {
    tf.dispose([...weights.values()]);
  }
  return { model, meta };
}
