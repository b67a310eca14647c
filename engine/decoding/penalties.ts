// Hypothesis scoring: GNMT length normalisation and coverage penalty (Wu et al. 2016, eq. 14),
// s(Y,X) = log P(Y|X) / lp(Y) + cp(X;Y), or a per-token word reward instead of lp.
import type { LengthPenalty } from './options.ts';

/** Below this, attention mass counts as this (log 0 would make every uncovered source -Infinity). */
export const COVERAGE_FLOOR = 1e-6;

/** Score of a finished hypothesis of `length` scored tokens (EOS included) and log-probability `logProb`. */
export function lengthNormalised(logProb: number, length: number, penalty: LengthPenalty): number {
  switch (penalty.kind) {
    case 'none':
      return logProb;
    case 'gnmt':
      return logProb / Math.pow((5 + length) / 6, penalty.alpha);
    case 'word-reward':
      return logProb + penalty.reward * length;
  }
}

/**
 * Σ_i log(min(Σ_j p_ij, 1)): the GNMT coverage term before β, from `coverage[i]` = the attention that
 * source position i received summed over the output tokens.
 */
export function coverageSum(coverage: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < coverage.length; i++) sum += Math.log(Math.max(Math.min(coverage[i]!, 1), COVERAGE_FLOOR));
  return sum;
}
