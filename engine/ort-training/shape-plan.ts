// Which (source, target) lengths get a step graph. Each graph is one ORT session (built once, ~0.2–2 s,
// tens of MB), and a batch runs in the smallest graph that holds it, its extra positions padding. A
// fixed grid (the ladder) pads short sequences by up to 3 positions in 4; planning the shapes from the
// run's own batches pads far less for the same number of graphs (README.md here: fr-en 0.771 → 0.865
// real/padded tokens with 32 graphs instead of 17).

export interface LengthPair {
  src: number;
  tgt: number;
}

/** One batch's exact lengths (its longest source and target row) and its number of rows. */
export interface ShapeUse extends LengthPair {
  rows: number;
}

export class ShapePlan {
  constructor(readonly pairs: readonly LengthPair[]) {}

  /** The planned pair that holds (src, tgt) with the fewest padded positions, or null if none holds it. */
  cover(src: number, tgt: number): LengthPair | null {
    let best: LengthPair | null = null;
    for (const p of this.pairs) {
      if (p.src < src || p.tgt < tgt) continue;
      if (!best || p.src + p.tgt < best.src + best.tgt) best = p;
    }
    return best;
  }
}

interface Cluster extends LengthPair {
  /** Rows of the batches it holds: each position the cluster's shape grows pads every one of them. */
  rows: number;
}

/**
 * At most `budget` length pairs covering every use, chosen greedily: start from the exact pairs and
 * repeatedly join the two whose join (the larger length of each side) adds the fewest padded positions,
 * counted as rows × (source + target) positions. Above `maxStart` distinct pairs, lengths are first
 * rounded up to multiples of 2, 4, … so that the quadratic search stays small.
 */
export function planShapes(uses: readonly ShapeUse[], budget: number, maxStart = 400): ShapePlan {
  if (!Number.isInteger(budget) || budget < 1) throw new Error(`planShapes: budget must be a positive integer, got ${budget}`);
  let step = 1;
  let clusters = aggregate(uses, step);
  while (clusters.length > maxStart) clusters = aggregate(uses, (step *= 2));
  while (clusters.length > budget) {
    let bestI = 0;
    let bestJ = 1;
    let bestCost = Infinity;
    for (let i = 0; i < clusters.length; i++) {
      const a = clusters[i]!;
      for (let j = i + 1; j < clusters.length; j++) {
        const b = clusters[j]!;
        const src = Math.max(a.src, b.src);
        const tgt = Math.max(a.tgt, b.tgt);
        const cost = a.rows * (src - a.src + tgt - a.tgt) + b.rows * (src - b.src + tgt - b.tgt);
        if (cost < bestCost) [bestI, bestJ, bestCost] = [i, j, cost];
      }
    }
    const a = clusters[bestI]!;
    const b = clusters[bestJ]!;
    clusters[bestI] = { src: Math.max(a.src, b.src), tgt: Math.max(a.tgt, b.tgt), rows: a.rows + b.rows };
    clusters.splice(bestJ, 1);
  }
  return new ShapePlan(clusters.map(({ src, tgt }) => ({ src, tgt })).sort((x, y) => x.src - y.src || x.tgt - y.tgt));
}

function aggregate(uses: readonly ShapeUse[], step: number): Cluster[] {
  const up = (n: number) => Math.ceil(n / step) * step;
  const byPair = new Map<string, Cluster>();
  for (const u of uses) {
    const src = up(u.src);
    const tgt = up(u.tgt);
    const key = `${src}x${tgt}`;
    const c = byPair.get(key);
    if (c) c.rows += u.rows;
    else byPair.set(key, { src, tgt, rows: u.rows });
  }
  return [...byPair.values()];
}

/** Step graphs a run plans by default (`PARLEY_ORT_SHAPES` overrides; README.md here has the trade). */
export const DEFAULT_SHAPE_BUDGET = 32;
