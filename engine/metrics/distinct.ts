// distinct-n (Li et al. 2016, "A Diversity-Promoting Objective Function for Neural Conversation
// Models"): distinct n-grams over all generated responses divided by the total n-grams generated.

/** In [0, 1]; 0 when the responses contain no n-gram at all. */
export function distinctN(responses: readonly (readonly string[])[], n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`distinctN: n must be a positive integer, got ${n}`);
  const seen = new Set<string>();
  let total = 0;
  for (const tokens of responses) {
    for (let i = 0; i + n <= tokens.length; i++) {
      seen.add(tokens.slice(i, i + n).join('\u0001'));
      total++;
    }
  }
  return total === 0 ? 0 : seen.size / total;
}

export function distinct12(responses: readonly (readonly string[])[]): { distinct1: number; distinct2: number } {
  return { distinct1: distinctN(responses, 1), distinct2: distinctN(responses, 2) };
}
