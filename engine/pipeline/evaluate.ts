// The task's metrics over held-out pairs: perplexity (teacher-forced), then on decoded outputs BLEU
// (translate; NLTK corpus BLEU over space tokens), labeled-bracket F1 and repair rate (parse, evalb
// style), distinct-1/2, the most repeated reply, empty replies and mean length (chat), BLEU and exact
// match (synthetic tasks), and sample outputs.
import * as tf from '@tensorflow/tfjs-core';
import { corpusBleu, spaceTokens } from '../metrics/bleu.ts';
import { evalb } from '../metrics/evalb.ts';
import { PerplexityMeter } from '../metrics/perplexity.ts';
import { replyStats } from '../metrics/replies.ts';
import { delinearize } from '../parsing/linearize.ts';
import type { Tree } from '../parsing/tree.ts';
import { makeBatch, type Example } from '../training/batch.ts';
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
  exactMatch?: number;
  f1?: number;
  precision?: number;
  recall?: number;
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
}

/**
 * At most n items spread evenly over the list, in order. Corpora may be sorted (Tatoeba goes from short
 * to long sentences), so the first n would measure only the shortest examples.
 */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

export function encodePairs(pipeline: Pipeline, pairs: readonly TextPair[]): Example[] {
  return pairs.map((p) => ({ src: pipeline.encodeInput(p.input), tgt: pipeline.codec.encodeTarget(p.target) }));
}

export function measurePerplexity(pipeline: Pipeline, examples: readonly Example[], batchTokens = 4000): number {
  const meter = new PerplexityMeter();
  const config = pipeline.model.config;
  for (const indices of planBatches(examples, { batchTokens, seed: 0, epoch: 0 })) {
    const batch = makeBatch(indices.map((i) => examples[i]!), config.specials, config.reverseSource);
    const loss = tf.tidy(() => pipeline.model.loss(batch, null));
    meter.add(loss.dataSync()[0]! * batch.targetTokens, batch.targetTokens);
    loss.dispose();
    batch.dispose();
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

/**
 * The decoded half of the evaluation: decodes up to `decodeLimit` pairs spread over the list and scores
 * the outputs by task. Separate from perplexity so that a sweep over decoding options (beam size,
 * penalties) pays for the teacher-forced pass once.
 */
export async function scoreDecoding(pipeline: Pipeline, pairs: readonly TextPair[], options: EvaluateOptions = {}): Promise<Omit<TaskMetrics, 'perplexity'>> {
  if (pairs.length === 0) throw new Error('nothing to evaluate: no held-out examples');
  const decodedPairs = spread(pairs, options.decodeLimit ?? 200);
  const decoding = options.decoding ?? defaultDecoding(pipeline.task);
  const runs = await pipeline.run(decodedPairs.map((p) => p.input), decoding);
  const metrics: Omit<TaskMetrics, 'perplexity'> = { examples: pairs.length, decoded: runs.length, samples: [] };
  const outputs = runs.map((r) => (typeof r.output === 'string' ? r.output : (r.output as ParseOutput).tokens.join(' ')));
  metrics.samples = decodedPairs.slice(0, options.samples ?? 3).map((p, i) => ({ input: inputText(p.input), output: outputs[i]!, reference: p.target }));
  const references = decodedPairs.map((p) => p.target);
  switch (pipeline.task) {
    case 'parse': {
      const golds = decodedPairs.map(goldTree);
      const tests = runs.map((r) => (r.output as ParseOutput).tree);
      const score = evalb(golds, tests);
      Object.assign(metrics, { f1: score.f1, precision: score.precision, recall: score.recall });
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
