// Task conventions shared by training, evaluation and serving: which tasks exist, what config.json's
// meta records about them, and how a model directory names its tokenizer.
import type { ModelMeta, Task } from '../checkpoint/model-dir.ts';
import { parseDecodingOptions } from '../decoding/options.ts';

export const PIPELINE_TASKS = ['chat', 'translate', 'parse', 'copy', 'reverse', 'sort'] as const;
export type PipelineTask = (typeof PIPELINE_TASKS)[number];
export type SyntheticTask = 'copy' | 'reverse' | 'sort';

export const TOKENIZER_FILE = 'tokenizer.model';
/** A model with per-side vocabularies keeps one tokenizer per side (config.json names both). */
export const SIDE_TOKENIZER_FILES = { source: 'source.model', target: 'target.model' } as const;

export function isPipelineTask(name: string): name is PipelineTask {
  return (PIPELINE_TASKS as readonly string[]).includes(name);
}

export function isSynthetic(task: PipelineTask): task is SyntheticTask {
  return task === 'copy' || task === 'reverse' || task === 'sort';
}

/** The engine's coarse task for a pipeline task (config.json's `task`). */
export function engineTask(task: PipelineTask): Task {
  return isSynthetic(task) ? 'synthetic' : task;
}

/** What config.json records besides the model: enough to rebuild the input/output conventions. */
export interface PipelineMeta extends ModelMeta {
  task: Task;
  /** The target side's tokenizer file, and the source's unless sourceTokenizer names another. */
  tokenizer: string;
  /** Per-side vocabularies: the source side's tokenizer file. */
  sourceTokenizer?: string;
  /** The exact pipeline task (copy/reverse/sort when task is 'synthetic'). */
  pipelineTask: PipelineTask;
  /** chat: earlier turns kept before the message (the input is the last contextTurns + 1 turns). */
  contextTurns?: number;
  /**
   * The model's decoding defaults, under any request's options (server, `parley decode`): e.g. the beam
   * size and length penalty chosen on the validation split. Checked when the model loads.
   */
  decoding?: Record<string, unknown>;
  /**
   * parse: the POS tags the model writes as preterminals, one target piece each (`parley train --pos-tags`).
   * Absent: XX for every word, as Vinyals et al. 2014 and every model trained before tags.
   */
  posTags?: string[];
}

/**
 * What every model of a task needs to decode sensibly, before its own defaults: a linearised tree runs
 * about three bracket tokens per word, so parse outputs may be 4× the source and far longer than the
 * general 100-token cap.
 */
export function taskDecodingDefaults(task: PipelineTask): Record<string, unknown> {
  return task === 'parse' ? { maxLength: 400, maxLengthRatio: 4 } : {};
}

/** Reads the pipeline meta out of config.json's meta, refusing what it cannot serve. */
export function pipelineMeta(meta: ModelMeta, source: string): PipelineMeta {
  const task = meta.pipelineTask ?? meta.task;
  if (typeof task !== 'string' || !isPipelineTask(task)) {
    throw new Error(`${source}: config.json names no servable task (task ${JSON.stringify(meta.task)}, pipelineTask ${JSON.stringify(meta.pipelineTask)})`);
  }
  const contextTurns = meta.contextTurns ?? (task === 'chat' ? 2 : undefined);
  if (contextTurns !== undefined && !(Number.isInteger(contextTurns) && (contextTurns as number) >= 0)) {
    throw new Error(`${source}: contextTurns must be an integer >= 0, got ${JSON.stringify(contextTurns)}`);
  }
  const sourceTokenizer = meta.sourceTokenizer;
  if (sourceTokenizer !== undefined && (typeof sourceTokenizer !== 'string' || sourceTokenizer.trim() === '')) {
    throw new Error(`${source}: sourceTokenizer must be a file name, got ${JSON.stringify(sourceTokenizer)}`);
  }
  const posTags = meta.posTags;
  if (posTags !== undefined) {
    if (task !== 'parse') throw new Error(`${source}: posTags are for parse models, not ${task}`);
    const ok = Array.isArray(posTags) && posTags.length > 0 && posTags.every((t) => typeof t === 'string' && /^[^\s()]+$/.test(t)) && new Set(posTags).size === posTags.length;
    if (!ok) throw new Error(`${source}: posTags must be a non-empty list of distinct tags without spaces or brackets, got ${JSON.stringify(posTags)}`);
  }
  const decoding = meta.decoding;
  if (decoding !== undefined) {
    if (typeof decoding !== 'object' || decoding === null || Array.isArray(decoding)) throw new Error(`${source}: decoding must be an object of decoding options`);
    try {
      parseDecodingOptions({ ...taskDecodingDefaults(task), ...decoding });
    } catch (e) {
      throw new Error(`${source}: decoding: ${(e as Error).message}`);
    }
  }
  return {
    ...meta,
    task: engineTask(task),
    pipelineTask: task,
    tokenizer: typeof meta.tokenizer === 'string' ? meta.tokenizer : TOKENIZER_FILE,
    ...(sourceTokenizer === undefined ? {} : { sourceTokenizer: sourceTokenizer as string }),
    ...(contextTurns === undefined ? {} : { contextTurns: contextTurns as number }),
    ...(posTags === undefined ? {} : { posTags: posTags as string[] }),
  };
}
