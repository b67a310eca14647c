// What a decode returns: hypotheses with their scores, per-token log-probabilities and attention,
// the n-best list and timing; and the partial hypotheses streamed while decoding runs.
import type { DecodingOptions } from './options.ts';

export interface Hypothesis {
  /** Output token ids, EOS excluded. */
  tokens: number[];
  /** Detokenized text, when a detokenizer was supplied. */
  text?: string;
  /** The ranking score: search score (with MMI-antiLM and diversity terms) normalised by the length
   *  penalty, plus the coverage penalty, plus λ·log p(S|T) after MMI-bidi reranking. */
  score: number;
  /** log p(T|S) under the model, EOS included. */
  logProb: number;
  /** log p(y_t | y_<t, S) for each output token (EOS excluded). */
  tokenLogProbs: number[];
  /** log p(EOS | T, S). */
  eosLogProb: number;
  /** [tokens, srcLen] attention weights, when asked for and the model has attention. */
  attention?: number[][];
  /** log p(S|T) under the backward model (MMI-bidi). */
  backwardLogProb?: number;
}

export interface DecodeTiming {
  /** From submission until the request joined a batch. */
  queuedMs: number;
  /** From joining a batch until the result was ready. */
  decodeMs: number;
  totalMs: number;
  /** Decoder steps this request took part in. */
  steps: number;
}

export interface DecodeResult extends Hypothesis {
  /** The best `nBest` hypotheses, best first (when returnNBest). */
  nBest?: Hypothesis[];
  /** The seed that reproduces a sampled result. */
  seed?: number;
  timing: DecodeTiming;
}

export interface PartialHypothesis {
  tokens: number[];
  text?: string;
  /** Steps decoded so far. */
  step: number;
  logProb: number;
}

export type Detokenize = (ids: number[]) => string;

/** The result from hypotheses sorted best first (never empty: every search finishes at least one). */
export function buildResult(
  sorted: Hypothesis[],
  o: DecodingOptions,
  extra: { detokenize?: Detokenize; timing: DecodeTiming; seed?: number },
): DecodeResult {
  if (sorted.length === 0) throw new Error('decoding finished without a hypothesis');
  const withText = (h: Hypothesis): Hypothesis => (extra.detokenize ? { ...h, text: extra.detokenize(h.tokens) } : h);
  const best = withText(sorted[0]!);
  const result: DecodeResult = { ...best, timing: extra.timing };
  if (o.returnNBest) result.nBest = sorted.slice(0, o.nBest).map(withText);
  if (extra.seed !== undefined) result.seed = extra.seed;
  return result;
}
