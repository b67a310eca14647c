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
 * cp(X;Y) = β·Σ_i log(min(Σ_j p_ij, 1)), from the summed attention of source position i over the output
 * tokens. `coverage` holds Σ_j p_ij for `srcLen` positions starting at `offset`.
 */
export function coveragePenalty(coverage: Float64Array, offset: number, srcLen: number, beta: number): number {
  if (beta === 0) return 0;
  let sum = 0;
  for (let i = 0; i < srcLen; i++) sum += Math.log(Math.max(Math.min(coverage[offset + i]!, 1), COVERAGE_FLOOR));
  return beta * sum;
}
