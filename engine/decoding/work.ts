// How much decoding a request can cost before it runs: the rows its search keeps per step and the most
// steps it may take (maxLength, capped by maxLengthRatio of the source), and the steps of MMI-antiLM's
// language-model lane beside them. Servers multiply these by the source length to refuse requests over a
// budget instead of letting one of them occupy a model.
import { parseDecodingOptions, type DecodingOptions } from './options.ts';
import { effectiveLengths } from './search.ts';

export interface DecodeWork {
  /** Hypotheses decoded side by side each step: beamSize for beam searches, nBest samples, 1 for greedy. */
  rows: number;
  /** The most output tokens the search may produce (EOS excluded). */
  maxSteps: number;
  /** Steps MMI-antiLM's unconditional LM runs beside each row (the first γ, EOS step included); 0 without it. */
  lmSteps: number;
}

function rowsOf(o: DecodingOptions): number {
  if (o.strategy === 'beam' || o.strategy === 'diverse-beam') return o.beamSize;
  return o.strategy === 'sample' ? o.nBest : 1;
}

/** The work bound of untrusted `options` (validated and defaulted as decode would) for a source of `sourceTokens`. */
export function decodeWork(options: unknown, sourceTokens: number): DecodeWork {
  const o = parseDecodingOptions(options);
  const maxSteps = effectiveLengths(o, sourceTokens).max;
  return { rows: rowsOf(o), maxSteps, lmSteps: o.mmiAntiLm ? Math.min(o.mmiAntiLm.gamma, maxSteps + 1) : 0 };
}
