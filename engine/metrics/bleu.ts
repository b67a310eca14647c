// Corpus BLEU (Papineni et al. 2002) as NLTK's corpus_bleu computes it without smoothing: clipped
// 1..4-gram counts pooled over the corpus, uniform-weight geometric mean, brevity penalty exp(1 - r/c).
import { fsum } from './fsum.ts';

const SMALLEST_NORMAL = 2 ** -1022; // Python's sys.float_info.min

export interface BleuOptions {
  /** Highest n-gram order; default 4. */
  maxOrder?: number;
}

export interface BleuResult {
  /** In [0, 1]; multiply by 100 for the usual scale. */
  bleu: number;
  /** Pooled modified precision per order, 1..maxOrder. */
  precisions: number[];
  brevityPenalty: number;
  hypothesisLength: number;
  referenceLength: number;
}

/** Tokens as the reference fixture defines them: split on single spaces. */
export function spaceTokens(line: string): string[] {
  return line.split(' ');
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  // \u0001 cannot occur inside a token split on spaces, so joined keys are unambiguous.
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** One reference per hypothesis, both already tokenized. */
export function corpusBleu(
  hypotheses: readonly (readonly string[])[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuResult {
  const maxOrder = options.maxOrder ?? 4;
  if (!Number.isInteger(maxOrder) || maxOrder < 1) throw new Error(`corpusBleu: maxOrder must be a positive integer, got ${maxOrder}`);
  if (hypotheses.length !== references.length) {
    throw new Error(`corpusBleu: ${hypotheses.length} hypotheses but ${references.length} references`);
  }
  const matched = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  let hypLen = 0;
  let refLen = 0;
  hypotheses.forEach((hyp, i) => {
    const ref = references[i]!;
    hypLen += hyp.length;
    refLen += ref.length;
    for (let n = 1; n <= maxOrder; n++) {
      const refCounts = ngramCounts(ref, n);
      let count = 0;
      for (const [gram, c] of ngramCounts(hyp, n)) {
        matched[n - 1]! += Math.min(c, refCounts.get(gram) ?? 0);
        count += c;
      }
      // NLTK's modified_precision divides by max(1, count): a hypothesis shorter than n adds 1.
      total[n - 1]! += Math.max(1, count);
    }
  });
  const precisions = matched.map((m, i) => (total[i]! === 0 ? 0 : m / total[i]!));
  const brevityPenalty = hypLen === 0 ? 0 : hypLen > refLen ? 1 : Math.exp(1 - refLen / hypLen);
  const result = { precisions, brevityPenalty, hypothesisLength: hypLen, referenceLength: refLen };
  // NLTK: no unigram match gives 0; a higher order with no match is replaced by the smallest normal
  // double (its method0 "smoothing"), which makes BLEU vanishingly small rather than exactly 0.
  if (matched[0] === 0) return { bleu: 0, ...result };
  const weight = 1 / maxOrder;
  const logMean = fsum(matched.map((m, i) => weight * Math.log(m === 0 ? SMALLEST_NORMAL : m / total[i]!)));
  return { bleu: brevityPenalty * Math.exp(logMean), ...result };
}

/** Corpus BLEU over untokenized lines, split on single spaces like the reference fixture. */
export function corpusBleuFromLines(hypotheses: readonly string[], references: readonly string[], options: BleuOptions = {}): BleuResult {
  return corpusBleu(hypotheses.map(spaceTokens), references.map(spaceTokens), options);
}
