// Teacher-forced scoring of given targets through the step interface, and MMI-bidi reranking
// (Li et al. 2016): candidates T reordered by score(T) + λ·log p(S|T) under a backward model p(S|T).
import type { Hypothesis } from './results.ts';
import { byScore } from './search.ts';
import type { StepModel } from './step-model.ts';

/** log p(target | source) for each pair, EOS included, stepping the model with the target as input. */
export async function scoreTargets<S>(model: StepModel<S>, sources: number[][], targets: number[][]): Promise<number[]> {
  const n = sources.length;
  const totals = new Array<number>(n).fill(0);
  if (n === 0) return totals;
  const V = model.vocabSize;
  const { bos, eos } = model.specials;
  const steps = Math.max(...targets.map((t) => t.length)) + 1;
  let state: S = await model.encode(sources);
  try {
    const prev = new Int32Array(n).fill(bos);
    for (let t = 0; t < steps; t++) {
      const out = await model.step(prev, state);
      model.release(state);
      state = out.state;
      for (let r = 0; r < n; r++) {
        const target = targets[r]!;
        if (t > target.length) continue;
        const token = t < target.length ? target[t]! : eos;
        totals[r]! += out.logProbs[r * V + token]!;
        prev[r] = t < target.length ? token : eos;
      }
    }
  } finally {
    model.release(state);
  }
  return totals;
}

/** MMI-bidi's formula: each candidate's score + λ·log p(S|T), best first; λ = 0 keeps the scores as they were. */
export function rerankByBackward<H extends Pick<Hypothesis, 'score' | 'tokens'>>(candidates: readonly H[], backwardLogProbs: readonly number[], lambda: number): (H & { backwardLogProb: number })[] {
  return candidates
    .map((h, i) => {
      const backwardLogProb = backwardLogProbs[i]!;
      return { ...h, backwardLogProb, score: lambda === 0 ? h.score : h.score + lambda * backwardLogProb };
    })
    .sort(byScore);
}

/**
 * Rerank candidates for `source` by score + λ·log p(S|T). An empty candidate cannot be encoded as a
 * backward source and explains nothing: it gets log p(S|T) = -Infinity.
 */
export async function rerankBidi<S>(job: { backward: StepModel<S>; source: number[]; candidates: Hypothesis[]; lambda: number }): Promise<Hypothesis[]> {
  const { backward, source, candidates, lambda } = job;
  const scorable = candidates.filter((h) => h.tokens.length > 0);
  const scores = await scoreTargets(backward, scorable.map((h) => h.tokens), scorable.map(() => source));
  const backwardOf = new Map(scorable.map((h, i) => [h, scores[i]!]));
  return rerankByBackward(candidates, candidates.map((h) => backwardOf.get(h) ?? -Infinity), lambda);
}
