// hits@1 of N for ranking (as ParlAI reports it for generative models): the true reply is scored by
// the model against N − 1 other replies drawn from the same split, and counts as a hit only when it
// scores strictly above every one of them (a tie is a miss, so a model that scores all alike gets 0).
import { Random } from '../random.ts';

/**
 * For each scored item, `count` distractor indices into `pool`: replies other than the item's own,
 * with texts that differ from it and from each other (a duplicate would make fewer real candidates).
 * Deterministic for a seed.
 */
export function drawDistractors(pool: readonly string[], items: readonly number[], count: number, seed: number): number[][] {
  const distinct = new Set(pool.map((t) => t.trim()));
  if (distinct.size < count + 1) throw new Error(`hits@1: ${distinct.size} distinct replies in the split; ${count + 1} candidates need at least that many`);
  const rng = new Random(seed);
  return items.map((item) => {
    const own = pool[item]!.trim();
    const seen = new Set([own]);
    const picked: number[] = [];
    // Rejection sampling: with at least count + 1 distinct texts it ends, and quickly unless a few texts fill the split.
    while (picked.length < count) {
      const j = rng.int(pool.length);
      const text = pool[j]!.trim();
      if (seen.has(text)) continue;
      seen.add(text);
      picked.push(j);
    }
    return picked;
  });
}

/** The fraction of items whose true score is strictly above all of its distractors' scores. */
export function hitsAt1(trueScores: readonly number[], distractorScores: readonly (readonly number[])[]): number {
  if (trueScores.length === 0 || trueScores.length !== distractorScores.length) {
    throw new Error(`hitsAt1: ${trueScores.length} true scores for ${distractorScores.length} distractor lists`);
  }
  const hits = trueScores.filter((s, i) => distractorScores[i]!.every((d) => s > d)).length;
  return hits / trueScores.length;
}
