// Ranking evaluation for chat (ParlAI's hits@1 for generative models): each true reply is scored
// against N − 1 replies drawn with a fixed seed from the same split, by the model's summed
// log-probability of the reply, EOS included (ParlAI ranks its generators' candidates by summed
// log-likelihood, which favours short replies; a length-normalised score would favour long ones).
// The context gain scores the same true replies with and without their earlier turns.
import { scoreTargets } from '../decoding/rerank.ts';
import { drawDistractors, hitsAt1 } from '../metrics/hits.ts';
import type { TextPair } from './build-tokenizer.ts';
import type { Pipeline } from './pipeline.ts';

export interface HitsOptions {
  /** Candidates per item, the true reply included (default 20). */
  candidates?: number;
  /** Seed of the distractor draw (default 1). */
  seed?: number;
  /** Rows (source, candidate) scored per batch (default SCORE_BATCH_ROWS). */
  batchRows?: number;
}

export interface HitsResult {
  /** Fraction of items whose true reply the model ranks first. */
  hits1: number;
  candidates: number;
  items: number;
}

/**
 * Rows scored together. tfjs-wasm's heap grows with the rows of a batch and never shrinks. Before the
 * encoder released each step's gates (cells/rnn.ts `inference`), the 12M chat model took 517 MiB at 25
 * rows and 3.4 GiB at 200, and a hits@1 over 200 items aborted at the 4 GiB limit. Now it takes 144 MiB
 * and 811 MiB. 25 rows at a time is also the faster: 9.0 s against 20.4 s for 200 rows.
 */
export const SCORE_BATCH_ROWS = 25;

/** log p(candidate | input) under the model, summed over the candidate's tokens and EOS. */
export async function replyLogProbs(pipeline: Pipeline, rows: readonly { input: TextPair['input']; reply: string }[], batchRows = SCORE_BATCH_ROWS): Promise<number[]> {
  const out: number[] = [];
  for (let start = 0; start < rows.length; start += batchRows) {
    const batch = rows.slice(start, start + batchRows);
    const sources = batch.map((r) => pipeline.encodeInput(r.input));
    const targets = batch.map((r) => pipeline.codec.encodeTarget(r.reply));
    out.push(...(await scoreTargets(pipeline.stepModel, sources, targets)));
  }
  return out;
}

/**
 * hits@1 of `candidates` for the pairs at `items` (indices into `pool`), distractors drawn from the
 * replies of the whole pool.
 */
export async function hitsAtOne(pipeline: Pipeline, pool: readonly TextPair[], items: readonly number[], options: HitsOptions = {}): Promise<HitsResult> {
  const candidates = options.candidates ?? 20;
  if (!(Number.isInteger(candidates) && candidates >= 2)) throw new Error(`hits@1: candidates must be an integer >= 2, got ${candidates}`);
  if (items.length === 0) throw new Error('hits@1: no items to rank');
  const replies = pool.map((p) => p.target);
  const distractors = drawDistractors(replies, items, candidates - 1, options.seed ?? 1);
  const rows = items.flatMap((item, k) => [item, ...distractors[k]!].map((j) => ({ input: pool[item]!.input, reply: replies[j]! })));
  const scores = await replyLogProbs(pipeline, rows, options.batchRows);
  const trueScores = items.map((_, k) => scores[k * candidates]!);
  const others = items.map((_, k) => scores.slice(k * candidates + 1, (k + 1) * candidates));
  return { hits1: hitsAt1(trueScores, others), candidates, items: items.length };
}

export interface ContextGain {
  items: number;
  /** Items whose reference is likelier given the earlier turns than given the last message alone (a tie is not). */
  helped: number;
  /** Mean over the references' tokens (EOS included) of log p(ref | turns) − log p(ref | message), in nats. */
  natsPerToken: number;
}

/**
 * How much the earlier turns raise the model's probability of each reference (the context ablation of
 * Sankar et al. 2019, "Do Neural Dialog Systems Use the Conversation History Effectively?"). The model
 * reads the turns as it is served, the last contextTurns of them: one that reads none scores exactly 0
 * and helps no item; one that reads them without using them scores about 0, helping about half by chance.
 */
export async function contextGain(pipeline: Pipeline, items: readonly { turns: readonly string[]; reference: string }[]): Promise<ContextGain> {
  if (items.length === 0) throw new Error('context gain: no items');
  const withTurns = await replyLogProbs(pipeline, items.map((d) => ({ input: [...d.turns], reply: d.reference })));
  const alone = await replyLogProbs(pipeline, items.map((d) => ({ input: [d.turns.at(-1) ?? ''], reply: d.reference })));
  const tokens = items.reduce((sum, d) => sum + pipeline.codec.encodeTarget(d.reference).length + 1, 0);
  const gain = withTurns.reduce((sum, lp, i) => sum + lp - alone[i]!, 0);
  return { items: items.length, helped: withTurns.filter((lp, i) => lp > alone[i]!).length, natsPerToken: gain / tokens };
}
