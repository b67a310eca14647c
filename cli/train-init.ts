// `parley train --init-from DIR`: a run that starts from a trained model's weights instead of random
// ones (fine-tuning a shipped model on more or other data, or training on past where a run's checkpoint
// was lost). The run takes the model's architecture and tokenizer(s) as they are, so the weights fit and
// each piece id keeps its meaning; the optimizer's state starts afresh.
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { corpusEntry, defaultDirection, isCorpusName } from '../corpora/index.ts';
import { CheckpointError, SIDE_TOKENIZER_FILES, TOKENIZER_FILE, loadModelWeights, pipelineMeta, readModelConfig, type ModelConfig, type PipelineMeta, type Seq2Seq } from '../engine/index.ts';
import { UsageError } from './corpus-data.ts';
import type { TrainRunOptions } from './train-options.ts';

export interface InitModel {
  dir: string;
  config: ModelConfig;
  meta: PipelineMeta;
  /** The tokenizer files config.json names, copied into the run's directory under the same names. */
  files: Pick<PipelineMeta, 'tokenizer' | 'sourceTokenizer'>;
}

/**
 * Reads the model a run starts from and refuses one whose conventions differ from the run's: another
 * task, another translation direction, trees with or without POS tags, or a forward model for a backward
 * run. Any of those would train the weights on inputs or targets they were not made for.
 */
export function readInitModel(o: TrainRunOptions & { initFrom: string }): InitModel {
  const dir = o.initFrom;
  let config: ModelConfig;
  let meta: PipelineMeta;
  try {
    const read = readModelConfig(dir);
    config = read.config;
    meta = pipelineMeta(read.meta, dir);
  } catch (e) {
    throw new UsageError(`--init-from ${dir}: ${(e as Error).message}`);
  }
  const refuse = (why: string): never => {
    throw new UsageError(`--init-from ${dir}: ${why}`);
  };
  if (meta.pipelineTask !== o.task) refuse(`the model is a ${meta.pipelineTask} model, the run trains --task ${o.task}`);
  if (path.resolve(dir) === path.resolve(o.out)) refuse('--out is the model itself: training would overwrite the weights it starts from');
  if (o.task === 'translate') checkDirection(o, meta, refuse);
  if (o.task === 'parse' && (meta.posTags !== undefined) !== (o.posTags === true)) {
    refuse(meta.posTags ? 'the model writes POS tags: add --pos-tags' : 'the model writes XX preterminals: leave out --pos-tags');
  }
  if ((meta.mmiRole === 'backward') !== (o.backward === true)) refuse(meta.mmiRole === 'backward' ? 'the model is a backward (MMI) model: add --backward' : 'the model is a forward model: leave out --backward');
  for (const file of [meta.tokenizer, meta.sourceTokenizer]) {
    if (file !== undefined && !existsSync(path.join(dir, file))) refuse(`config.json names ${file}, which is missing`);
  }
  return { dir, config, meta, files: { tokenizer: meta.tokenizer, ...(meta.sourceTokenizer === undefined ? {} : { sourceTokenizer: meta.sourceTokenizer }) } };
}

/**
 * The direction a translation run reads, or a model was trained in: `direction` when recorded or given,
 * else its first corpus's default (Tatoeba reads xx-en without --direction; models that predate
 * recording a direction trained that way).
 */
export function runDirection(direction: unknown, corpora: unknown): string | undefined {
  if (typeof direction === 'string') return direction;
  const first = Array.isArray(corpora) ? (corpora as unknown[])[0] : undefined;
  return typeof first === 'string' ? defaultDirection(first) : undefined;
}

/** The run must read its pairs the way round the model translates, from corpora that hold both languages. */
function checkDirection(o: TrainRunOptions, meta: PipelineMeta, refuse: (why: string) => never): void {
  const model = runDirection(meta.direction, meta.corpora);
  const run = runDirection(o.direction, o.corpora);
  if (o.direction !== undefined && model !== undefined && o.direction !== model) refuse(`the model translates ${model}, the run asks for --direction ${o.direction}`);
  if (o.direction === undefined && model !== undefined && run !== model) {
    // Without --direction the run takes the model's, which every registered corpus must hold.
    for (const name of o.corpora) {
      if (!isCorpusName(name)) continue;
      const languages = corpusEntry(name).languages;
      if (!model.split('-').every((l) => languages.includes(l))) refuse(`the model translates ${model}, and --corpus ${name} holds ${languages.join(' and ')}`);
    }
  }
}

/** The run's options as the model makes them: its preset, its vocabulary mode and size, the model's direction. */
export function optionsFromInit(o: TrainRunOptions, init: InitModel): TrainRunOptions {
  const separate = init.files.sourceTokenizer !== undefined;
  const direction = o.direction ?? (o.task === 'translate' ? (runDirection(init.meta.direction, init.meta.corpora) as TrainRunOptions['direction']) : undefined);
  return {
    ...o,
    preset: init.config.preset,
    vocabSize: init.config.vocabSize,
    ...(separate ? { vocab: 'separate' as const } : {}),
    ...(direction === undefined ? {} : { direction }),
  };
}

/** The model config the run trains: the model's, with the run's dropout and seed when it sets them. */
export function initConfig(o: TrainRunOptions, init: InitModel): ModelConfig {
  return { ...init.config, seed: o.seed, ...(o.dropout === undefined ? {} : { dropout: o.dropout }) };
}

/**
 * Copies the model's tokenizer(s) into the run's directory under the names a run keeps them by
 * (tokenizer.model, or source.model and target.model), so --resume finds them as in any run.
 */
export function copyInitTokenizers(init: InitModel, out: string): void {
  const { tokenizer, sourceTokenizer } = init.files;
  if (sourceTokenizer === undefined) {
    copyFileSync(path.join(init.dir, tokenizer), path.join(out, TOKENIZER_FILE));
    return;
  }
  copyFileSync(path.join(init.dir, sourceTokenizer), path.join(out, SIDE_TOKENIZER_FILES.source));
  copyFileSync(path.join(init.dir, tokenizer), path.join(out, SIDE_TOKENIZER_FILES.target));
}

/**
 * parse: the POS tags the run's model writes: the init model's own, which its target tokenizer has a
 * piece for; a training tree with another tag is refused, naming the model.
 */
export function initPosTags(init: InitModel, corpusTags: readonly string[]): string[] | undefined {
  const known = init.meta.posTags;
  if (known === undefined) return undefined;
  const unknown = corpusTags.filter((t) => !known.includes(t));
  if (unknown.length) throw new UsageError(`--init-from ${init.dir}: the training trees hold POS tags the model does not write: ${unknown.join(', ')}`);
  return [...known];
}

/** Sets `model`'s weights to the init model's (float16 files are widened as they load), without building a second model. */
export function loadInitWeights(init: InitModel, model: Seq2Seq): void {
  const weights = loadModelWeights(init.dir);
  try {
    model.params.assign(weights);
  } catch (e) {
    throw new CheckpointError(`--init-from ${init.dir}: its weights do not fit the run's model: ${(e as Error).message}`);
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}
