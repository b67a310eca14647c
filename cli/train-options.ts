// `parley train` flags → one validated, JSON-serialisable run description (saved with the checkpoint, so
// --resume continues the same run), with defaults per task.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  engineNames,
  isPipelineTask,
  isSynthetic,
  modelConfig,
  PIPELINE_TASKS,
  presets,
  readModelConfig,
  type CellKind,
  type EngineName,
  type ModelConfig,
  type ModelConfigOverrides,
  type PipelineTask,
  type Preset,
  type Schedule,
} from '../engine/index.ts';

type ReadoutKind = ModelConfig['readout']['kind'];
export const VOCAB_MODES = ['joint', 'separate'] as const;
export type VocabMode = (typeof VOCAB_MODES)[number];
/** What keeps a validation as the run's best model: its perplexity (lower), or its decodes' BLEU or F1 (higher). */
export const SELECT_BY = ['perplexity', 'bleu', 'f1'] as const;
export type SelectBy = (typeof SELECT_BY)[number];
/** The tokenizers' sizes: one joint vocabulary, or the source and target sides' own. */
export type RunVocabSizes = number | { source: number; target: number };
const READOUT_KINDS = ['tanh', 'maxout'] as const satisfies readonly ReadoutKind[];
import { UsageError } from './corpus-data.ts';

/** The flags that shape the model or its vocabulary: an --init-from run takes them from the model instead (cli/train-init.ts). */
export const ARCHITECTURE_FLAGS = ['model', 'hidden', 'embedding', 'layers', 'cell', 'vocab-size', 'vocab', 'readout', 'readout-kind', 'source-context', 'encoder-directions'] as const;

export interface TrainRunOptions {
  task: PipelineTask;
  preset: Preset;
  corpora: string[];
  corporaDir?: string;
  /** Translation direction (Tatoeba: fr-en by default, en-fr the other way). */
  direction?: `${string}-${string}`;
  /** Pieces per vocabulary: the joint one, or each side's with vocab 'separate'. */
  vocabSize: number;
  /** One joint vocabulary with tied embeddings (absent), or a tokenizer and an embedding per side. */
  vocab?: VocabMode;
  steps?: number;
  epochs?: number;
  timeBudgetMs?: number;
  batchTokens: number;
  out: string;
  seed: number;
  learningRate: number;
  /** How the rate moves from --lr over the updates; left out for constant, so older run.json files read as before. */
  schedule?: Exclude<Schedule, { kind: 'constant' }>;
  dropout?: number;
  hidden?: number;
  embedding?: number;
  layers?: number;
  cell?: CellKind;
  /** What the decoder sees of the source (the attention lever): global, local, hybrid or none. */
  sourceContext?: SourceContext;
  /** 1: a left-to-right encoder; 2: bidirectional (the RNNsearch lever). */
  encoderDirections?: 1 | 2;
  /** Units the softmax reads (after maxout pooling); default the decoder's width. */
  readout?: number;
  readoutKind?: ReadoutKind;
  validEvery: number;
  checkpointEvery: number;
  patience: number;
  /** What makes the best model (and resets patience); left out for perplexity, so older run.json files read as before. */
  selectBy?: Exclude<SelectBy, 'perplexity'>;
  maxLength: number;
  maxExamples?: number;
  contextTurns: number;
  /**
   * chat: training pairs whose reply reuses a word of the earlier turns that the message lacks
   * (corpora/dialogue.ts replyDrawsOnContext) appear this many extra times in the training split.
   */
  contextRepeat?: number;
  /** chat: train the backward model p(message | reply) for MMI-bidi — each pair swapped, the reply alone as input. */
  backward?: boolean;
  /** parse: predict the treebank's POS tags as preterminals instead of XX (left out when off). */
  posTags?: boolean;
  /** parse: bracketed tree files (parley self-label's) added to the training split only. */
  extraTrees?: string[];
  /** A trained model directory whose weights, architecture and tokenizer(s) the run starts from (cli/train-init.ts). */
  initFrom?: string;
  logEvery: number;
  validLimit: number;
  /**
   * The ORT engine's step-graph layout settings in force when the run began (PARLEY_ORT_GRID,
   * PARLEY_ORT_SHAPES; {}: the defaults; no field, in runs saved before it: the environment's, each
   * time). Kept so --resume lays batches out the same way: another
   * layout pads them differently, which draws other dropout masks (cli/train-run.ts resolveLayout).
   */
  ortLayout?: Record<string, string>;
}

interface TaskDefaults {
  preset: Preset;
  learningRate: number;
  vocabSize: number;
  maxLength: number;
  batchTokens: number;
  /**
   * Validation pairs decoded (5× as many scored for perplexity). translate-fr-en's greedy BLEU over 200
   * valid sentences varies by 2.3 points between bootstrap resamples, over 500 by 1.5; 500 also
   * covers all 438 GUM dev trees.
   */
  validLimit: number;
}

const TASK_DEFAULTS: Record<'chat' | 'translate' | 'parse' | 'synthetic', TaskDefaults> = {
  chat: { preset: 'nrm-local', learningRate: 1e-3, vocabSize: 4000, maxLength: 40, batchTokens: 1500, validLimit: 200 },
  translate: { preset: 'rnnsearch', learningRate: 1e-3, vocabSize: 4000, maxLength: 40, batchTokens: 1500, validLimit: 500 },
  // Vinyals et al. 2014: a deep LSTM with attention; linearised trees are ~3× the sentence length.
  parse: { preset: 'seq2seq-lstm', learningRate: 1e-3, vocabSize: 2000, maxLength: 150, batchTokens: 3000, validLimit: 500 },
  // Small, noiseless tasks: a bidirectional encoder, no dropout and a larger step learn them in minutes.
  synthetic: { preset: 'rnnsearch', learningRate: 5e-3, vocabSize: 300, maxLength: 30, batchTokens: 400, validLimit: 200 },
};

export const TRAIN_FLAGS = {
  task: { type: 'string' },
  model: { type: 'string' },
  corpus: { type: 'string', multiple: true },
  corpora: { type: 'string' },
  direction: { type: 'string' },
  'vocab-size': { type: 'string' },
  vocab: { type: 'string' },
  steps: { type: 'string' },
  epochs: { type: 'string' },
  'time-budget': { type: 'string' },
  'batch-tokens': { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  seed: { type: 'string' },
  lr: { type: 'string' },
  'lr-schedule': { type: 'string' },
  dropout: { type: 'string' },
  hidden: { type: 'string' },
  embedding: { type: 'string' },
  layers: { type: 'string' },
  cell: { type: 'string' },
  'valid-every': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  patience: { type: 'string' },
  'select-by': { type: 'string' },
  'max-length': { type: 'string' },
  'max-examples': { type: 'string' },
  'context-turns': { type: 'string' },
  'context-repeat': { type: 'string' },
  backward: { type: 'boolean' },
  'pos-tags': { type: 'boolean' },
  'extra-trees': { type: 'string', multiple: true },
  'init-from': { type: 'string' },
  'source-context': { type: 'string' },
  'encoder-directions': { type: 'string' },
  readout: { type: 'string' },
  'readout-kind': { type: 'string' },
  'log-every': { type: 'string' },
  'valid-limit': { type: 'string' },
  engine: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The earlier turns a chat run reads without --context-turns: 2, or those of the model it starts from
 * (--init-from DIR), which keeps the context it was trained to read (config.json's contextTurns; 2 for
 * models that predate it).
 */
function initContextTurns(dir: string | undefined): number {
  if (dir === undefined) return 2;
  const turns = readModelConfig(dir).meta.contextTurns;
  return typeof turns === 'number' && Number.isInteger(turns) && turns >= 0 ? turns : 2;
}

export function positiveInt(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got "${value}"`);
  return Number(value);
}

function number(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be a number in [${min}, ${max}], got "${value}"`);
  return n;
}

/** "90s", "30m", "1.5h" or plain seconds → milliseconds. */
export function parseDuration(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)(s|m|h)?$/.exec(value);
  if (!m || Number(m[1]) <= 0) throw new UsageError(`--${flag} must be a duration like 90s, 30m or 2h, got "${value}"`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

const SOURCE_CONTEXTS = ['global', 'local', 'hybrid', 'none'] as const;
type SourceContext = (typeof SOURCE_CONTEXTS)[number];

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

export function parseDirection(value: string): `${string}-${string}` {
  if (!/^[a-z]{2,3}-[a-z]{2,3}$/.test(value)) throw new UsageError(`--direction must look like fr-en or en-fr, got "${value}"`);
  return value as `${string}-${string}`;
}

export function taskDefaults(task: PipelineTask): TaskDefaults {
  return TASK_DEFAULTS[isSynthetic(task) ? 'synthetic' : task];
}

/** `engine` is per invocation, not part of the saved run: a run may resume on the other engine. */
export function parseTrainFlags(args: string[]): { options: TrainRunOptions; resume: boolean; help: boolean; engine?: EngineName } {
  const { values: v } = parseArgs({ args, options: TRAIN_FLAGS, strict: true, allowPositionals: false });
  if (v.help) return { options: undefined as never, resume: false, help: true };
  const engine = v.engine === undefined ? undefined : oneOf('engine', v.engine, engineNames);
  const task = v.task;
  if (task === undefined || !isPipelineTask(task)) throw new UsageError(`--task must be one of ${PIPELINE_TASKS.join(', ')}, got ${task === undefined ? 'nothing' : `"${task}"`}`);
  const d = taskDefaults(task);
  const preset = v.model ?? d.preset;
  if (!(presets as readonly string[]).includes(preset)) throw new UsageError(`--model must be one of ${presets.join(', ')}, got "${preset}"`);
  if (v.cell !== undefined && v.cell !== 'gru' && v.cell !== 'lstm') throw new UsageError(`--cell must be gru or lstm, got "${v.cell}"`);
  if (v.out === undefined) throw new UsageError('--out DIR is required');
  if (v['context-turns'] !== undefined && task !== 'chat') throw new UsageError(`--context-turns only applies to --task chat, not ${task}`);
  if (v.backward && task !== 'chat') throw new UsageError(`--backward only applies to --task chat, not ${task}`);
  // The backward model p(message | reply) reads the reply alone, so earlier turns have no place in it.
  if (v.backward && v['context-turns'] !== undefined) throw new UsageError('--backward reads only the reply: leave out --context-turns');
  if (v['context-repeat'] !== undefined && (task !== 'chat' || v.backward)) throw new UsageError('--context-repeat only applies to --task chat (not --backward, which reads no context)');
  if (v['context-repeat'] !== undefined && v['context-turns'] === '0') throw new UsageError('--context-repeat needs earlier turns to draw on: leave out --context-turns 0');
  if (v['pos-tags'] && task !== 'parse') throw new UsageError(`--pos-tags only applies to --task parse, not ${task}`);
  if (v['extra-trees'] && task !== 'parse') throw new UsageError(`--extra-trees only applies to --task parse, not ${task}`);
  for (const file of v['extra-trees'] ?? []) if (!existsSync(file)) throw new UsageError(`--extra-trees: ${file} does not exist`);
  if (v['init-from'] !== undefined) {
    // On --resume the run continues from its checkpoint, so the model it began from may have moved.
    if (!v.resume && !existsSync(path.join(v['init-from'], 'config.json'))) throw new UsageError(`--init-from: ${v['init-from']} is not a model directory (no config.json)`);
    const given = ARCHITECTURE_FLAGS.filter((f) => v[f] !== undefined);
    if (given.length) throw new UsageError(`--init-from takes the model's architecture and tokenizer as they are: leave out ${given.map((f) => `--${f}`).join(', ')}`);
  }
  const selectBy = v['select-by'] === undefined ? 'perplexity' : oneOf('select-by', v['select-by'], SELECT_BY);
  // BLEU is what translate and the synthetic tasks decode for, F1 what parse does (engine/pipeline/evaluate.ts).
  if (selectBy === 'f1' && task !== 'parse') throw new UsageError(`--select-by f1 only applies to --task parse, not ${task}`);
  if (selectBy === 'bleu' && (task === 'parse' || task === 'chat')) throw new UsageError(`--select-by bleu applies to --task translate and the synthetic tasks, not ${task}`);
  const steps = positiveInt('steps', v.steps);
  const epochs = positiveInt('epochs', v.epochs);
  const timeBudgetMs = parseDuration('time-budget', v['time-budget']);
  const synthetic = isSynthetic(task);
  const options: TrainRunOptions = {
    task,
    preset: preset as Preset,
    corpora: v.corpus ?? [],
    ...(v.corpora === undefined ? {} : { corporaDir: v.corpora }),
    ...(v.direction === undefined ? {} : { direction: parseDirection(v.direction) }),
    vocabSize: positiveInt('vocab-size', v['vocab-size'], 8) ?? d.vocabSize,
    // Left out for joint, the default, so a joint run's run.json reads as before.
    ...(v.vocab === undefined || oneOf('vocab', v.vocab, VOCAB_MODES) === 'joint' ? {} : { vocab: 'separate' as const }),
    ...(steps === undefined && epochs === undefined && timeBudgetMs === undefined ? { epochs: synthetic ? 20 : 10 } : {}),
    ...(steps === undefined ? {} : { steps }),
    ...(epochs === undefined ? {} : { epochs }),
    ...(timeBudgetMs === undefined ? {} : { timeBudgetMs }),
    batchTokens: positiveInt('batch-tokens', v['batch-tokens']) ?? d.batchTokens,
    out: v.out,
    seed: positiveInt('seed', v.seed, 0) ?? 1,
    learningRate: number('lr', v.lr, 1e-7, 10) ?? d.learningRate,
    ...withSchedule(v['lr-schedule']),
    ...(v.dropout === undefined ? (synthetic ? { dropout: 0 } : {}) : { dropout: number('dropout', v.dropout, 0, 0.9)! }),
    ...(v.hidden === undefined ? (synthetic ? { hidden: 32 } : {}) : { hidden: positiveInt('hidden', v.hidden)! }),
    ...(v.embedding === undefined ? (synthetic ? { embedding: 32 } : {}) : { embedding: positiveInt('embedding', v.embedding)! }),
    ...(v.layers === undefined ? {} : { layers: positiveInt('layers', v.layers)! }),
    ...(v.cell === undefined ? {} : { cell: v.cell as CellKind }),
    ...(v['source-context'] === undefined ? {} : { sourceContext: oneOf('source-context', v['source-context'], SOURCE_CONTEXTS) }),
    ...(v['encoder-directions'] === undefined ? {} : { encoderDirections: Number(oneOf('encoder-directions', v['encoder-directions'], ['1', '2'] as const)) as 1 | 2 }),
    ...(v.readout === undefined ? {} : { readout: positiveInt('readout', v.readout)! }),
    ...(v['readout-kind'] === undefined ? {} : { readoutKind: oneOf('readout-kind', v['readout-kind'], READOUT_KINDS) }),
    validEvery: positiveInt('valid-every', v['valid-every']) ?? 200,
    checkpointEvery: positiveInt('checkpoint-every', v['checkpoint-every']) ?? 100,
    patience: positiveInt('patience', v.patience) ?? 5,
    ...(selectBy === 'perplexity' ? {} : { selectBy }),
    maxLength: positiveInt('max-length', v['max-length']) ?? d.maxLength,
    ...(v['max-examples'] === undefined ? {} : { maxExamples: positiveInt('max-examples', v['max-examples'])! }),
    contextTurns: v.backward ? 0 : positiveInt('context-turns', v['context-turns'], 0) ?? (task === 'chat' && !v.resume ? initContextTurns(v['init-from']) : 2),
    ...(v['context-repeat'] === undefined ? {} : { contextRepeat: positiveInt('context-repeat', v['context-repeat'])! }),
    ...(v.backward ? { backward: true } : {}),
    ...(v['pos-tags'] ? { posTags: true } : {}),
    ...(v['extra-trees'] ? { extraTrees: v['extra-trees'].map((f) => path.resolve(f)) } : {}),
    ...(v['init-from'] === undefined ? {} : { initFrom: path.resolve(v['init-from']) }),
    logEvery: positiveInt('log-every', v['log-every']) ?? 10,
    validLimit: positiveInt('valid-limit', v['valid-limit']) ?? d.validLimit,
  };
  return { options, resume: v.resume ?? false, help: false, ...(engine ? { engine } : {}) };
}

/** The model config the run trains: the preset, the tokenizers' vocabularies, then the size overrides. */
export function runModelConfig(o: TrainRunOptions, sizes: RunVocabSizes): ModelConfig {
  // Per-side vocabularies: the softmax over the target's pieces, an untied embedding per side.
  const vocab: ModelConfigOverrides = typeof sizes === 'number'
    ? { vocabSize: sizes }
    : { vocabSize: sizes.target, sourceVocabSize: sizes.source, shareEmbeddings: false };
  const base = modelConfig(o.preset, vocab);
  const overrides: ModelConfigOverrides = { ...vocab, seed: o.seed };
  if (o.dropout !== undefined) overrides.dropout = o.dropout;
  if (o.embedding !== undefined) overrides.embedding = o.embedding;
  const encoder: Partial<ModelConfig['encoder']> = {};
  const decoder: Partial<ModelConfig['decoder']> = {};
  if (o.hidden !== undefined) {
    // Keep the preset's decoder/encoder width ratio (rnnsearch: a 2h decoder over a bidirectional h encoder).
    encoder.hidden = o.hidden;
    decoder.hidden = Math.round((o.hidden * base.decoder.hidden) / base.encoder.hidden);
    overrides.attention = { dim: o.hidden };
  }
  if (o.layers !== undefined) {
    encoder.layers = o.layers;
    decoder.layers = o.layers;
  }
  if (o.cell !== undefined) {
    encoder.cell = o.cell;
    decoder.cell = o.cell;
  }
  if (o.encoderDirections !== undefined) encoder.bidirectional = o.encoderDirections === 2;
  if (o.sourceContext !== undefined) overrides.context = o.sourceContext;
  overrides.encoder = encoder;
  overrides.decoder = decoder;
  overrides.readout = runReadout(o, base.readout.kind, decoder.hidden ?? base.decoder.hidden);
  return modelConfig(o.preset, overrides);
}

/**
 * The readout: as many units before the softmax as the decoder is wide unless --readout says otherwise;
 * maxout pools pairs, so its layer is twice that. --hidden once set the layer to the encoder width, and
 * a --hidden 128 RNNsearch (decoder 256) gave its 4,000-way softmax 64 features (issue 14).
 */
function runReadout(o: TrainRunOptions, presetKind: ReadoutKind, decoderHidden: number): ModelConfig['readout'] {
  const kind = o.readoutKind ?? presetKind;
  const units = o.readout ?? decoderHidden;
  return { kind, dim: kind === 'maxout' ? 2 * units : units };
}

/**
 * `--lr-schedule`: constant (the default), inverse-sqrt:WARMUP (linear warm-up to --lr, then ∝ 1/√step)
 * or step-decay:START:EVERY:FACTOR (--lr until update START, then × FACTOR every EVERY updates).
 */
export function withSchedule(text: string | undefined): { schedule?: Exclude<Schedule, { kind: 'constant' }> } {
  if (text === undefined || text === 'constant') return {};
  const [kind, ...args] = text.split(':');
  const int = (what: string, value: string | undefined, min: number): number => {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--lr-schedule ${kind}: ${what} must be an integer ≥ ${min}, got ${value === undefined ? 'nothing' : `"${value}"`}`);
    return Number(value);
  };
  if (kind === 'inverse-sqrt' && args.length === 1) return { schedule: { kind, warmup: int('WARMUP', args[0], 1) } };
  if (kind === 'step-decay' && args.length === 3) {
    const factor = Number(args[2]);
    if (!(factor > 0 && factor <= 1)) throw new UsageError(`--lr-schedule step-decay: FACTOR must be in (0, 1], got "${args[2]}"`);
    return { schedule: { kind, start: int('START', args[0], 0), every: int('EVERY', args[1], 1), factor } };
  }
  throw new UsageError(`--lr-schedule must be constant, inverse-sqrt:WARMUP or step-decay:START:EVERY:FACTOR, got "${text}"`);
}
