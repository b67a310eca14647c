// Corpus chrF (Popović 2015) as sacreBLEU 2.x computes it by default (chrF2): character n-grams of
// orders 1..6 with whitespace removed, counts pooled over the corpus, precision and recall averaged
// over the orders both sides have n-grams of, then the F-score with recall weighted β = 2.

export interface ChrfOptions {
  /** Highest character n-gram order; default 6. */
  charOrder?: number;
  /** Weight of recall over precision; default 2. */
  beta?: number;
  /**
   * 'effective-order' (sacreBLEU's default): average P and R over the orders present, then one F.
   * 'epsilon' (sacreBLEU's eps_smoothing, chrF++.py and NLTK): average the orders' F-scores, an order
   * without n-grams counting as a tiny epsilon.
   */
  smoothing?: 'effective-order' | 'epsilon';
}

export interface ChrfResult {
  /** In [0, 1]; multiply by 100 for sacreBLEU's scale. */
  chrf: number;
  /** Pooled character n-gram precision and recall per order, 1..charOrder (0 where a side has none). */
  precisions: number[];
  recalls: number[];
}

/**
 * What Python's str.split() splits on, which sacreBLEU's whitespace removal uses: JavaScript's \s less
 * U+FEFF, plus U+001C..U+001F and U+0085.
 */
const PYTHON_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/gu;

/** Counts of the n-grams of code points (Python indexes strings by code point, not UTF-16 unit). */
function charNgrams(chars: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= chars.length; i++) {
    const gram = chars.slice(i, i + n).join('');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function check(options: ChrfOptions): Required<ChrfOptions> {
  const o = { charOrder: 6, beta: 2, smoothing: 'effective-order' as const, ...options };
  if (!Number.isInteger(o.charOrder) || o.charOrder < 1) throw new Error(`corpusChrf: charOrder must be a positive integer, got ${o.charOrder}`);
  if (!(o.beta > 0) || !Number.isFinite(o.beta)) throw new Error(`corpusChrf: beta must be a positive number, got ${o.beta}`);
  if (o.smoothing !== 'effective-order' && o.smoothing !== 'epsilon') throw new Error(`corpusChrf: smoothing must be effective-order or epsilon, got ${String(o.smoothing)}`);
  return o;
}

/** One reference per hypothesis, both untokenized text. */
export function corpusChrf(hypotheses: readonly string[], references: readonly string[], options: ChrfOptions = {}): ChrfResult {
  const { charOrder, beta, smoothing } = check(options);
  if (hypotheses.length !== references.length) throw new Error(`corpusChrf: ${hypotheses.length} hypotheses but ${references.length} references`);
  // Per order: [hypothesis n-grams, reference n-grams, matched], summed over the sentences.
  const stats = Array.from({ length: charOrder }, () => [0, 0, 0]);
  hypotheses.forEach((hyp, s) => {
    const h = Array.from(hyp.replace(PYTHON_WHITESPACE, ''));
    const r = Array.from(references[s]!.replace(PYTHON_WHITESPACE, ''));
    for (let n = 1; n <= charOrder; n++) {
      const refCounts = charNgrams(r, n);
      const row = stats[n - 1]!;
      for (const [gram, c] of charNgrams(h, n)) row[2]! += Math.min(c, refCounts.get(gram) ?? 0);
      row[0]! += Math.max(0, h.length - n + 1);
      row[1]! += Math.max(0, r.length - n + 1);
    }
  });
  const precisions = stats.map(([hyp, , match]) => (hyp! > 0 ? match! / hyp! : 0));
  const recalls = stats.map(([, ref, match]) => (ref! > 0 ? match! / ref! : 0));
  const b2 = beta * beta;
  const f = (p: number, r: number): number => (p + r === 0 ? 0 : ((1 + b2) * p * r) / (b2 * p + r));
  if (smoothing === 'epsilon') {
    const eps = 1e-16;
    const scores = stats.map(([hyp, ref, match]) => {
      const p = hyp! > 0 ? match! / hyp! : eps;
      const r = ref! > 0 ? match! / ref! : eps;
      return b2 * p + r > 0 ? ((1 + b2) * p * r) / (b2 * p + r) : eps;
    });
    return { chrf: scores.reduce((a, x) => a + x, 0) / charOrder, precisions, recalls };
  }
  const present = stats.map(([hyp, ref]) => hyp! > 0 && ref! > 0);
  const orders = present.filter(Boolean).length;
  if (orders === 0) return { chrf: 0, precisions, recalls };
  const mean = (xs: number[]): number => xs.filter((_, i) => present[i]).reduce((a, x) => a + x, 0) / orders;
  return { chrf: f(mean(precisions), mean(recalls)), precisions, recalls };
}
