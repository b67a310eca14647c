// The task's metrics over held-out pairs: perplexity (teacher-forced), then on decoded outputs BLEU
// (translate; NLTK corpus BLEU over space tokens), labeled-bracket F1, exact match, F1 over 5–18 words,
// tagging accuracy and repair rate (parse, evalb style), distinct-1/2, the most repeated reply, empty replies and mean length (chat), BLEU and exact
// match (synthetic tasks), and sample outputs.
import * as tf from '@tensorflow/tfjs-core';
import { corpusBleu, spaceTokens } from '../metrics/bleu.ts';
import { parseReport } from '../metrics/parse-report.ts';
import { PerplexityMeter } from '../metrics/perplexity.ts';
import { replyStats } from '../metrics/replies.ts';
import { delinearize } from '../parsing/linearize.ts';
import type { Tree } from '../parsing/tree.ts';
import type { StepModel } from '../decoding/step-model.ts';
import type { Seq2Seq } from '../models/seq2seq.ts';
import { makeBatch, type Example, type TensorBatch } from '../training/batch.ts';
import { maskedCrossEntropy } from '../training/loss.ts';
import { planBatches } from './batches.ts';
import type { TextPair } from './build-tokenizer.ts';
import { parseWords, type ParseOutput } from './codec.ts';
import type { Pipeline } from './pipeline.ts';

export interface Sample {
  input: string;
  output: string;
  reference: string;
}

export interface TaskMetrics {
  perplexity: number;
  /** Examples scored for perplexity / decoded. */
  examples: number;
  decoded: number;
  bleu?: number;
  /** Synthetic tasks: outputs equal to the reference; parse: trees whose brackets all match. */
  exactMatch?: number;
  f1?: number;
  precision?: number;
  recall?: number;
  /** parse: bracket F1 over the decoded sentences of 5–18 words. */
  words5to18?: { sentences: number; f1: number | null };
  /** parse, a tagging parser: words whose predicted preterminal is the gold POS tag. */
  tagAccuracy?: number;
  /** parse: outputs the repairer had to change (none under the tree constraint, unless it ran out of length). */
  repairRate?: number;
  distinct1?: number;
  distinct2?: number;
  mostRepeated?: { reply: string; count: number };
  emptyReplies?: number;
  /** Words per reply. */
  meanLength?: number;
  samples: Sample[];
}

export interface EvaluateOptions {
  /** Decode at most this many pairs (perplexity uses all); default 200. */
  decodeLimit?: number;
  /** Decoding options (default greedy, bounded by the task's usual output length). */
  decoding?: Record<string, unknown>;
  samples?: number;
  batchTokens?: number;
  /** Decode on this StepModel of the pipeline's weights instead of its tfjs model (Pipeline.run). */
  stepModel?: StepModel<unknown>;
}

/**
 * At most n items spread evenly over the list, in order. Corpora may be sorted (Tatoeba goes from short
 * to long sentences), so the first n would measure only the shortest examples.
 */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

/** Pairs scored for perplexity per pair decoded: teacher forcing costs little next to decoding. */
export const SCORED_PER_DECODED = 5;

/**
 * The held-out pairs a training run validates (and tests) on: `decodeLimit` × SCORED_PER_DECODED pairs
 * spread over the whole split for perplexity, of which scoreDecoding decodes `decodeLimit`, spread again.
 * Taking the first pairs instead measured Tatoeba's 200 shortest (2.6 words a reference): no 4-gram
 * could match, and NLTK's BLEU floor gave 4.3e-78 at every validation of translate-fr-en (issue 14).
 */
export function heldOutSample<T>(pairs: readonly T[], decodeLimit: number): T[] {
  return spread(pairs, decodeLimit * SCORED_PER_DECODED);
}

export function encodePairs(pipeline: Pipeline, pairs: readonly TextPair[]): Example[] {
  return pairs.map((p) => ({ src: pipeline.encodeInput(p.input), tgt: pipeline.codec.encodeTarget(p.target) }));
}

/**
 * Rows × vocabulary of one readout chunk in the teacher-forced pass: bounds the [rows, V] logits and the
 * loss's temporaries (16 MiB each in float32) whatever the batch and vocabulary. Whole batches of 4,000
 * padded tokens × 8,000 words took 2 GiB of the 4 GiB wasm heap and aborted validation (issue: abort
 * after the last step).
 */
export const LOGIT_CHUNK_ELEMENTS = 2 ** 22;

/**
 * Σ −log p(target) over the real target tokens of a batch: the decoder runs once, then the readout and
 * the loss over the real rows only (padding gathered away), a chunk of rows at a time.
 */
export function batchLossSum(model: Seq2Seq, batch: TensorBatch, chunkElements = LOGIT_CHUNK_ELEMENTS): number {
  const weights = batch.tgtWeights.dataSync();
  const real = Int32Array.from(weights.keys()).filter((i) => weights[i] !== 0);
  if (real.length === 0) return 0;
  const [features, targets] = tf.tidy(() => {
    const f = model.features(batch, null);
    return [tf.gather(f, real), tf.gather(tf.reshape(batch.tgtOut, [-1]), real)];
  });
  const rows = Math.max(1, Math.floor(chunkElements / model.config.vocabSize));
  let sum = 0;
  try {
    for (let r = 0; r < real.length; r += rows) {
      const n = Math.min(rows, real.length - r);
      const mean = tf.tidy(() => {
        const logits = model.readout.logits(model.readout.hidden(tf.slice(features, [r, 0], [n, -1])));
        return maskedCrossEntropy(logits, tf.slice(targets, [r], [n]), tf.ones([n]));
      });
      sum += mean.dataSync()[0]! * n;
      mean.dispose();
    }
  } finally {
    tf.dispose([features, targets]);
  }
  return sum;
}

/** Padded tokens per batch of a perplexity pass (tfjs here, ORT's in ort-training/train-engine.ts). */
export const PERPLEXITY_BATCH_TOKENS = 4000;

export function measurePerplexity(pipeline: Pick<Pipeline, 'model'>, examples: readonly Example[], batchTokens = PERPLEXITY_BATCH_TOKENS, chunkElements = LOGIT_CHUNK_ELEMENTS): number {
  const meter = new PerplexityMeter();
  const config = pipeline.model.config;
  for (const indices of planBatches(examples, { batchTokens, seed: 0, epoch: 0 })) {
    const batch = makeBatch(indices.map((i) => examples[i]!), config.specials, config.reverseSource);
    try {
      meter.add(batchLossSum(pipeline.model, batch, chunkElements), batch.targetTokens);
    } finally {
      batch.dispose();
    }
  }
  return meter.value();
}

/** Greedy, and no longer than outputs of the task get, so an untrained model's validation stays quick. */
export function defaultDecoding(task: Pipeline['task']): Record<string, unknown> {
  if (task === 'chat') return { strategy: 'greedy', maxLength: 60 };
  // Parse targets run about three bracket tokens per word, so up to 4× the source's subwords.
  return { strategy: 'greedy', maxLength: 400, maxLengthRatio: task === 'parse' ? 4 : 2 };
}

/**
 * The reference tree of a parse pair: the treebank tree when the pair carries it, else one rebuilt from
 * the linearised target. The rebuilt tree has only XX tags, so evalb could not tell punctuation from words.
 */
export function goldTree(pair: TextPair): Tree {
  return pair.gold ?? delinearize(pair.target.split(' ').filter((t) => t !== ''), parseWords(pair.input)).tree;
}

const inputText = (input: TextPair['input']): string => (typeof input === 'string' ? input : input.join(' | '));

export async function evaluatePipeline(pipeline: Pipeline, pairs: readonly TextPair[], options: EvaluateOptions = {}): Promise<TaskMetrics> {
  if (pairs.length === 0) throw new Error('nothing to evaluate: no held-out examples');
  const perplexity = measurePerplexity(pipeline, encodePairs(pipeline, pairs), options.batchTokens);
  return { perplexity, ...(await scoreDecoding(pipeline, pairs, options)) };
}

/** Inputs decoded together in evaluation (see scoreDecoding). */
const DECODE_CHUNK = 32;

/**
 * The decoded half of the evaluation: decodes up to `decodeLimit` pairs spread over the list and scores
 * the outputs by task. Separate from perplexity so that a sweep over decoding options (beam size,
 * penalties) pays for the teacher-forced pass once.
 */
export async function scoreDecoding(pipeline: Pipeline, pairs: readonly TextPair[], options: EvaluateOptions = {}): Promise<Omit<TaskMetrics, 'perplexity'>> {
  if (pairs.length === 0) throw new Error('nothing to evaluate: no held-out examples');
  const decodedPairs = spread(pairs, options.decodeLimit ?? 200);
  const decoding = options.decoding ?? defaultDecoding(pipeline.task);
  // Decoded a chunk at a time: tfjs keeps an encoder's per-step activations for the whole batch, and 200
  // long multi-turn sources through a 512-wide 2-layer LSTM outgrew the 4 GiB wasm heap (parley train
  // aborted at validation). Batched decoding equals one-by-one, so chunking changes no output.
  const runs: Awaited<ReturnType<Pipeline['run']>> = [];
  for (let i = 0; i < decodedPairs.length; i += DECODE_CHUNK) {
    runs.push(...(await pipeline.run(decodedPairs.slice(i, i + DECODE_CHUNK).map((p) => p.input), decoding, options.stepModel ? { stepModel: options.stepModel } : {})));
  }
  const metrics: Omit<TaskMetrics, 'perplexity'> = { examples: pairs.length, decoded: runs.length, samples: [] };
  const outputs = runs.map((r) => (typeof r.output === 'string' ? r.output : (r.output as ParseOutput).tokens.join(' ')));
  metrics.samples = decodedPairs.slice(0, options.samples ?? 3).map((p, i) => ({ input: inputText(p.input), output: outputs[i]!, reference: p.target }));
  const references = decodedPairs.map((p) => p.target);
  switch (pipeline.task) {
    case 'parse': {
      const golds = decodedPairs.map(goldTree);
      const tests = runs.map((r) => (r.output as ParseOutput).tree);
      Object.assign(metrics, parseReport(golds, tests, pipeline.codec.posTags !== null));
      metrics.repairRate = runs.filter((r) => (r.output as ParseOutput).repaired).length / runs.length;
      break;
    }
    case 'chat': {
      const { replies: _, ...stats } = replyStats(outputs);
      Object.assign(metrics, stats);
      break;
    }
    default:
      metrics.bleu = corpusBleu(outputs.map(spaceTokens), references.map(spaceTokens)).bleu;
      if (pipeline.task !== 'translate') metrics.exactMatch = outputs.filter((o, i) => o === references[i]).length / outputs.length;
  }
  return metrics;
}
