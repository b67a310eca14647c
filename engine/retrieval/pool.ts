// The candidate pool of a chat reply: the generated n-best and the replies retrieved for the nearest
// training prompts, all scored alike — log p(reply | message, context) under the forward model,
// length-normalised as the search's own scores are (the request's lengthPenalty), plus
// λ·log p(message | reply) under the backward model when there is one (MMI-bidi, Li et al. 2016).
// Unnormalised, the pool's winners were its shortest generic replies ("Why?", "Okay").
import type { LengthPenalty } from '../decoding/options.ts';
import { lengthNormalised } from '../decoding/penalties.ts';
import { rerankByBackward, scoreTargets } from '../decoding/rerank.ts';
import { backwardLogProbs } from '../pipeline/backward.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { PipelineInput } from '../pipeline/codec.ts';

export type CandidateOrigin = 'generated' | 'retrieved';

export interface PoolCandidate {
  tokens: number[];
  origin: CandidateOrigin;
  /** log p(reply | message, context), EOS included; `score` normalises it by length. */
  forwardLogProb: number;
  backwardLogProb?: number;
  score: number;
}

export interface PoolJob {
  forward: Pipeline;
  backward: Pipeline | null;
  /** λ of MMI-bidi; 0 (or no backward model) ranks by the forward log-probability alone. */
  lambda: number;
  /** The request's length penalty, applied to every candidate's forward log-probability. */
  lengthPenalty: LengthPenalty;
  input: PipelineInput;
  /** The forward source the generated candidates were decoded from. */
  source: number[];
  message: string;
  generated: readonly number[][];
  retrieved: readonly string[];
}

/** Every candidate once (a retrieved reply the search also produced stays generated), best first. */
export async function rankPool(job: PoolJob): Promise<PoolCandidate[]> {
  const seen = new Set<string>();
  const pool: { tokens: number[]; origin: CandidateOrigin }[] = [];
  const add = (tokens: number[], origin: CandidateOrigin) => {
    const key = tokens.join(',');
    if (tokens.length === 0 || seen.has(key)) return;
    seen.add(key);
    pool.push({ tokens, origin });
  };
  for (const t of job.generated) add(t, 'generated');
  for (const text of job.retrieved) add(job.forward.codec.encodeTarget(text), 'retrieved');
  const forward = await scoreTargets(job.forward.stepModel, pool.map(() => job.source), pool.map((c) => c.tokens));
  const scored = pool.map((c, i) => ({ ...c, forwardLogProb: forward[i]!, score: lengthNormalised(forward[i]!, c.tokens.length + 1, job.lengthPenalty) }));
  if (!job.backward || job.lambda === 0) return rerankByBackward(scored, scored.map(() => 0), 0).map(({ backwardLogProb: _b, ...c }) => c);
  const texts = scored.map((c) => job.forward.decodeOutput(c.tokens, job.input) as string);
  return rerankByBackward(scored, await backwardLogProbs(job.backward, job.message, texts), job.lambda);
}
