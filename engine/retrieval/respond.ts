// A reply as served: the forward model's n-best, then (chat) the retrieved pool and MMI-bidi (Li et al.
// 2016) reranking, best first with where each candidate came from. The server and `parley eval --heldout
// chat` both go through here, so what is measured is what is served; only the forward search is theirs.
import { checkOptionsAgainstVocab, DecodingOptionsError, parseDecodingOptions, type DecodingOptions } from '../decoding/options.ts';
import { rerankByBackward } from '../decoding/rerank.ts';
import type { DecodeResult } from '../decoding/results.ts';
import { backwardLogProbs } from '../pipeline/backward.ts';
import type { PipelineInput } from '../pipeline/codec.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { embedSources } from './embed.ts';
import { rankPool, type CandidateOrigin } from './pool.ts';
import type { ReplyIndex } from './reply-index.ts';

/** The most retrieved replies a pool may take (the server's request limit too). */
export const MAX_RETRIEVED = 32;

export interface ReplyModels {
  forward: Pipeline;
  /** p(message | reply), for MMI-bidi; null when the model names none. */
  backward: Pipeline | null;
  /** The training prompts' index (retrieval/), for the pool; null when the directory has none. */
  index: ReplyIndex | null;
}

/** What follows the forward search, fixed before it runs so that its cost can be counted first. */
export interface ReplyPlan {
  /** The forward search's options: its whole n-best when reranking follows; mmiBidi kept only for it to refuse. */
  searchOptions: unknown;
  /** Replies of this many nearest prompts join the pool (0: no pool). */
  retrieved: number;
  /** MMI-bidi with a loaded backward model: λ, and the forward n-best it reranks without a pool. */
  bidi: { lambda: number; pool: number } | null;
}

export interface RankedReply {
  tokens: number[];
  score: number;
  backwardLogProb?: number;
  origin: CandidateOrigin;
}

/** config.json `"retrieval": {"k": N}`: the model's default pool of retrieved replies (none if absent or out of range). */
export function defaultRetrieved(meta: Readonly<Record<string, unknown>>): number {
  const k = (meta.retrieval as { k?: unknown } | undefined)?.k;
  return typeof k === 'number' && Number.isInteger(k) && k >= 0 && k <= MAX_RETRIEVED ? k : 0;
}

/**
 * `options` are the decoding options with the model's defaults applied; `retrieved` the pool asked for
 * (undefined: the model's default, which is off for a model without an index). Options these models
 * cannot run are refused here, before anything is stored or queued: a pool without an index, MMI-bidi
 * without a backward model, token ids outside the vocabulary, coverage without attention.
 */
export function planReply(models: ReplyModels, options: unknown, retrieved?: number): ReplyPlan {
  const parsed = parseDecodingOptions(options);
  checkServable(models, parsed, retrieved ?? 0);
  const k = models.index ? retrieved ?? defaultRetrieved(models.forward.meta) : 0;
  const bidi = parsed.mmiBidi ? { lambda: parsed.mmiBidi.lambda, pool: parsed.nBest } : null;
  const reranked = bidi !== null || k > 0;
  const searchOptions = reranked ? { ...(options as object), ...(bidi ? { mmiBidi: null } : {}), returnNBest: true } : options;
  return { searchOptions, retrieved: k, bidi };
}

function checkServable(models: ReplyModels, o: DecodingOptions, retrieved: number): void {
  if (retrieved > 0 && !models.index) {
    throw new DecodingOptionsError('retrieved', `${retrieved}, but this model has no retrieval index (a chat model's retrieval/, written by parley index): only 0 is allowed`);
  }
  if (o.mmiBidi && !models.backward) throw new DecodingOptionsError('mmiBidi', 'no backward model p(S|T) is loaded for this model (config.json "backward")');
  checkOptionsAgainstVocab(o, models.forward.stepModel.vocabSize);
  if (o.coveragePenalty > 0 && !models.forward.model.decoder.attention) {
    throw new DecodingOptionsError('coveragePenalty', 'this model has no attention to compute coverage from: only 0 is allowed');
  }
}

export interface RankJob {
  input: PipelineInput;
  /** The forward source the search decoded from. */
  source: number[];
  /** The message replied to (a chat's last turn): what the backward model must explain. */
  message: string;
  /** The options planReply was given (their returnNBest says whether the whole list comes back). */
  options: unknown;
  plan: ReplyPlan;
  searched: DecodeResult;
}

/** The forward search's n-best reranked as the plan says, best first; one entry unless returnNBest. */
export async function rankReplies(models: ReplyModels, job: RankJob): Promise<RankedReply[]> {
  const { plan, searched } = job;
  const options = parseDecodingOptions(job.options);
  const hyps = (searched.nBest ?? [searched]).map((h) => ({ tokens: h.tokens, score: h.score, origin: 'generated' as CandidateOrigin }));
  if (plan.retrieved > 0 && models.index) {
    const [vector] = embedSources(models.forward.model, [job.source]);
    const retrieved = models.index.nearest(vector!, plan.retrieved).map((r) => r.text);
    const pool = await rankPool({
      forward: models.forward, backward: plan.bidi ? models.backward : null, lambda: plan.bidi?.lambda ?? 0, lengthPenalty: options.lengthPenalty,
      input: job.input, source: job.source, message: job.message, generated: hyps.map((h) => h.tokens), retrieved,
    });
    const ranked = pool.length > 0 ? pool.map(({ forwardLogProb: _f, ...c }) => c) : hyps.slice(0, 1);
    return options.returnNBest ? ranked : ranked.slice(0, 1);
  }
  if (plan.bidi && models.backward) {
    const candidates = hyps.slice(0, plan.bidi.pool);
    const texts = candidates.map((h) => models.forward.decodeOutput(h.tokens, job.input) as string);
    const scores = await backwardLogProbs(models.backward, job.message, texts);
    // An empty reply explains no message (-Infinity): it leaves the pool unless nothing else is in it.
    const reranked = rerankByBackward(candidates, scores, plan.bidi.lambda).filter((h) => Number.isFinite(h.score));
    const ranked = reranked.length > 0 ? reranked : candidates.slice(0, 1);
    return options.returnNBest ? ranked : ranked.slice(0, 1);
  }
  return hyps;
}

export interface RespondJob {
  input: PipelineInput;
  source: number[];
  message: string;
  options: unknown;
  plan: ReplyPlan;
  /** The forward search: a scheduler's or a worker's submit, with the caller's signal and partials. */
  search(options: unknown): Promise<DecodeResult>;
}

/** The forward search under the plan's options, then its n-best ranked (rankReplies). */
export async function respond(models: ReplyModels, job: RespondJob): Promise<{ searched: DecodeResult; ranked: RankedReply[] }> {
  const searched = await job.search(job.plan.searchOptions);
  return { searched, ranked: await rankReplies(models, { ...job, searched }) };
}
