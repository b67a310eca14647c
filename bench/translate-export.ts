// A translation run's data as token ids, for the PyTorch reference (bench/torch/translate.py): the train
// pairs `parley train` keeps (same loader, split, --max-examples and --max-length filter), the validation
// pairs it measures perplexity on, and the test pairs `parley eval` decodes for BLEU, with their texts.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IssueLog } from '../corpora/index.ts';
import {
  TOKENIZER_FILE,
  TaskCodec,
  Tokenizer,
  defaultDecoding,
  defaultTrainingOptions,
  heldOutSample,
  pipelineMeta,
  readModelConfig,
  spread,
  type Example,
  type ModelConfig,
  type PipelineMeta,
  type TextPair,
} from '../engine/index.ts';
import { UsageError } from '../cli/corpus-data.ts';
import { DEFAULT_EVAL_LIMIT, loadEvalPairs, type EvalDataFlags } from '../cli/eval-pairs.ts';
import { dropLong, heldOutPairs } from '../cli/train-run.ts';
import { parseTrainFlags, runModelConfig, type TrainRunOptions } from '../cli/train-options.ts';

/** Flags that change which data is exported; each overrides what the run or model directory recorded. */
export interface DataOverrides {
  corpus?: string[];
  corpora?: string;
  direction?: string;
  seed?: string;
  maxLength?: string;
  maxExamples?: string;
  batchTokens?: string;
  validLimit?: string;
}

export interface ExportOptions {
  /** A model directory or a `parley train --out` directory: its tokenizer, config.json, training/run.json. */
  model: string;
  out: string;
  overrides?: DataOverrides;
  /** Test pairs decoded, spread over the split (parley eval --limit). */
  limit?: number;
  /** parley eval --max-examples: test pairs read before spreading. */
  evalMaxExamples?: number;
}

export interface ExportSummary {
  train: number;
  droppedOverMaxLength: number;
  valid: number;
  testSplit: number;
  test: number;
  vocabSize: number;
  dataIssues: number;
}

/** How the ids are to be read; written to meta.json so the Python side needs no Parley code. */
export const ID_CONVENTIONS =
  'src: source ids without EOS (the encoder reads src + [eos]); tgt: target ids without BOS/EOS (decoder input [bos] + tgt, output tgt + [eos]); pad fills after each row';

function flagArgs(o: DataOverrides): string[] {
  const args: string[] = [];
  const add = (flag: string, value: string | undefined) => value !== undefined && args.push(`--${flag}`, value);
  for (const c of o.corpus ?? []) args.push('--corpus', c);
  add('corpora', o.corpora);
  add('direction', o.direction);
  add('seed', o.seed);
  add('max-length', o.maxLength);
  add('max-examples', o.maxExamples);
  add('batch-tokens', o.batchTokens);
  add('valid-limit', o.validLimit);
  return args;
}

/**
 * The run as `parley train` saw it: its saved training/run.json, else the defaults of
 * `parley train --task translate` over the corpora config.json names; the flags on top of either.
 */
export function runOptionsFor(dir: string, meta: PipelineMeta | null, overrides: DataOverrides): TrainRunOptions {
  const runFile = path.join(dir, 'training/run.json');
  if (!existsSync(runFile)) {
    const corpora = overrides.corpus ?? (meta?.corpora as string[] | undefined) ?? [];
    const direction = overrides.direction ?? (typeof meta?.direction === 'string' ? meta.direction : undefined);
    const seed = overrides.seed ?? (typeof meta?.dataSeed === 'number' ? String(meta.dataSeed) : undefined);
    return parseTrainFlags(['--task', 'translate', '--out', dir, ...flagArgs({ ...overrides, corpus: corpora, ...(direction ? { direction } : {}), ...(seed ? { seed } : {}) })]).options;
  }
  const saved = JSON.parse(readFileSync(runFile, 'utf8')) as TrainRunOptions;
  const given = parseTrainFlags(['--task', 'translate', '--out', dir, ...flagArgs(overrides)]).options;
  // Only what a flag named replaces the saved value (parseTrainFlags fills every field with a default).
  const picked: Partial<TrainRunOptions> = {
    ...(overrides.corpus ? { corpora: given.corpora } : {}),
    ...(overrides.corpora ? { corporaDir: given.corporaDir! } : {}),
    ...(overrides.direction ? { direction: given.direction! } : {}),
    ...(overrides.seed ? { seed: given.seed } : {}),
    ...(overrides.maxLength ? { maxLength: given.maxLength } : {}),
    ...(overrides.maxExamples ? { maxExamples: given.maxExamples! } : {}),
    ...(overrides.batchTokens ? { batchTokens: given.batchTokens } : {}),
    ...(overrides.validLimit ? { validLimit: given.validLimit } : {}),
  };
  return { ...saved, ...picked };
}

function readMeta(dir: string): { meta: PipelineMeta; config: ModelConfig } | null {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) return null;
  const { meta, config } = readModelConfig(dir);
  return { meta: pipelineMeta(meta, file), config };
}

const jsonl = (rows: readonly unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

export async function exportTranslationIds(options: ExportOptions): Promise<ExportSummary> {
  const overrides = options.overrides ?? {};
  const saved = readMeta(options.model);
  if (saved && saved.meta.pipelineTask !== 'translate') throw new UsageError(`${options.model} is a ${saved.meta.pipelineTask} model; this export is for translation`);
  const run = runOptionsFor(options.model, saved?.meta ?? null, overrides);
  if (run.task !== 'translate') throw new UsageError(`${options.model}: its run trained --task ${run.task}, not translate`);
  const tokenizerFile = path.join(options.model, saved?.meta.tokenizer ?? TOKENIZER_FILE);
  if (!existsSync(tokenizerFile)) throw new UsageError(`no tokenizer at ${tokenizerFile}`);
  const tokenizer = await Tokenizer.load(tokenizerFile);
  const codec = new TaskCodec({ task: 'translate', tokenizer });
  const encode = (pairs: readonly TextPair[]): Example[] => pairs.map((p) => ({ src: codec.encodeInput(p.input), tgt: codec.encodeTarget(p.target) }));

  const issues = new IssueLog(100, undefined);
  const all = encode(await heldOutPairs(run, 'train', issues));
  const train = dropLong(all, run.maxLength);
  if (train.length === 0) throw new UsageError(`no training pairs under --max-length ${run.maxLength} in ${run.corpora.join(', ') || '(no --corpus)'}${issues.count ? `; ${issues.summary()}` : ''}`);
  const valid = encode(heldOutSample(await heldOutPairs(run, 'valid', issues), run.validLimit));
  // The model's own meta when there is one, as parley eval reads it; else what the run recorded.
  const evalMeta: PipelineMeta = saved?.meta ?? { task: 'translate', pipelineTask: 'translate', tokenizer: TOKENIZER_FILE, corpora: run.corpora, dataSeed: run.seed, ...(run.direction ? { direction: run.direction } : {}) };
  const evalFlags: EvalDataFlags = {
    ...(overrides.corpus ? { corpus: overrides.corpus } : {}),
    ...(overrides.corpora ? { corpora: overrides.corpora } : {}),
    ...(overrides.direction ? { direction: overrides.direction } : {}),
    ...(overrides.seed ? { seed: overrides.seed } : {}),
    ...(options.evalMaxExamples === undefined ? {} : { maxExamples: options.evalMaxExamples }),
  };
  const { pairs: testSplit } = await loadEvalPairs({ task: 'translate', meta: evalMeta }, 'test', evalFlags, issues);
  const test = spread(testSplit, options.limit ?? DEFAULT_EVAL_LIMIT);

  mkdirSync(options.out, { recursive: true });
  copyFileSync(tokenizerFile, path.join(options.out, TOKENIZER_FILE));
  writeFileSync(path.join(options.out, 'train.jsonl'), jsonl(train.map((e) => ({ src: e.src, tgt: e.tgt }))));
  writeFileSync(path.join(options.out, 'valid.jsonl'), jsonl(valid.map((e) => ({ src: e.src, tgt: e.tgt }))));
  writeFileSync(path.join(options.out, 'test.jsonl'), jsonl(test.map((p) => ({ src: codec.encodeInput(p.input), source: p.input as string, reference: p.target }))));
  const summary: ExportSummary = { train: train.length, droppedOverMaxLength: all.length - train.length, valid: valid.length, testSplit: testSplit.length, test: test.length, vocabSize: tokenizer.vocabSize, dataIssues: issues.count };
  const model = saved?.config ?? runModelConfig(run, tokenizer.vocabSize);
  const meta = {
    source: path.resolve(options.model),
    conventions: ID_CONVENTIONS,
    specials: model.specials,
    vocabSize: tokenizer.vocabSize,
    model,
    training: { corpora: run.corpora, direction: run.direction ?? null, seed: run.seed, maxLength: run.maxLength, maxExamples: run.maxExamples ?? null, batchTokens: run.batchTokens, learningRate: run.learningRate, clipNorm: defaultTrainingOptions.clipNorm, validEvery: run.validEvery, validLimit: run.validLimit, patience: run.patience },
    test: { limit: options.limit ?? DEFAULT_EVAL_LIMIT, evalMaxExamples: options.evalMaxExamples ?? null, decoding: defaultDecoding('translate') },
    counts: summary,
  };
  writeFileSync(path.join(options.out, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return summary;
}
