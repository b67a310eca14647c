// Unigram language-model vocabulary learning (Kudo 2018, "Subword Regularization", section 3.2), after
// SentencePiece's unigram trainer: seed with frequent substrings, re-estimate piece probabilities by EM
// over each segment's lattice, prune the pieces whose removal costs least likelihood, until the
// vocabulary is small enough. Scores are log-probabilities, which SentencePiece's Viterbi encoder uses.
import { selectChars, type LearnOptions } from './char-set.ts';
import { Lattices, scoreTable, viterbiPieces } from './unigram-lattice.ts';

export interface LearnUnigramOptions extends LearnOptions {
  /** Most seed pieces kept from the substring counts (SentencePiece: seed_sentencepiece_size). */
  seedSize?: number;
  /** Fraction of pieces each pruning round keeps (SentencePiece: shrinking_factor). */
  shrinkingFactor?: number;
  /** EM iterations between prunings (SentencePiece: num_sub_iterations). */
  subIterations?: number;
}

export interface ScoredPiece {
  piece: string;
  score: number;
}

// An M-step drops pieces expected less often than this (SentencePiece's kExpectedFrequencyThreshold).
const EXPECTED_FREQUENCY_THRESHOLD = 0.5;

/** Learned pieces (characters included), highest score first. */
export function learnUnigram(segments: ReadonlyMap<string, number>, options: LearnUnigramOptions): ScoredPiece[] {
  const chars = selectChars(segments, options);
  const charSet = new Set(chars);
  let pieces = seedPieces(segments, chars, options);
  const desired = Math.floor(options.maxPieces * 1.1);
  const shrinking = options.shrinkingFactor ?? 0.75;
  const lattices = new Lattices(segments, options.maxPieceLength);
  for (;;) {
    for (let i = 0; i < (options.subIterations ?? 2); i++) {
      const expected = lattices.expectedCounts(pieces);
      pieces = maximise(pieces, expected, charSet);
    }
    if (pieces.length <= desired) break;
    const pruned = prune(pieces, lattices, charSet, Math.max(desired, Math.floor(pieces.length * shrinking)));
    if (pruned.length === pieces.length) break;
    pieces = pruned;
  }
  return finalPieces(pieces, charSet, options.maxPieces);
}

/** Characters plus the most frequent substrings (frequency x length), scored by log relative frequency. */
function seedPieces(segments: ReadonlyMap<string, number>, chars: string[], options: LearnUnigramOptions): ScoredPiece[] {
  const charSet = new Set(chars);
  const counts = new Map<string, number>();
  const charCounts = new Map<string, number>();
  for (const [segment, freq] of segments) {
    const cps = Array.from(segment);
    for (let i = 0; i < cps.length; i++) {
      if (!charSet.has(cps[i]!)) continue;
      charCounts.set(cps[i]!, (charCounts.get(cps[i]!) ?? 0) + freq);
      let text = cps[i]!;
      for (let j = i + 1; j < Math.min(cps.length, i + options.maxPieceLength); j++) {
        if (!charSet.has(cps[j]!)) break;
        text += cps[j]!;
        counts.set(text, (counts.get(text) ?? 0) + freq);
      }
    }
  }
  const seeds = [...counts]
    .filter(([text, count]) => count > 1 && !options.reserved.has(text))
    .map(([text, count]) => ({ text, count, weight: count * Array.from(text).length }))
    .sort((a, b) => b.weight - a.weight || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .slice(0, options.seedSize ?? 1_000_000);
  const all = [...chars.map((ch) => ({ text: ch, count: charCounts.get(ch) ?? 1 })), ...seeds];
  const logTotal = Math.log(all.reduce((sum, s) => sum + s.count, 0));
  return all.map((s) => ({ piece: s.text, score: Math.log(s.count) - logTotal }));
}

/** Bayesian M-step (SentencePiece's RunMStep): digamma-smoothed log-probabilities; rare pieces go. */
function maximise(pieces: ScoredPiece[], expected: Float64Array, chars: ReadonlySet<string>): ScoredPiece[] {
  const kept: { piece: string; count: number }[] = [];
  pieces.forEach(({ piece }, i) => {
    if (expected[i]! >= EXPECTED_FREQUENCY_THRESHOLD || chars.has(piece)) kept.push({ piece, count: Math.max(expected[i]!, EXPECTED_FREQUENCY_THRESHOLD) });
  });
  const logTotal = digamma(kept.reduce((sum, p) => sum + p.count, 0));
  return kept.map(({ piece, count }) => ({ piece, score: digamma(count) - logTotal }));
}

/**
 * Keeps `target` pieces: characters always, then the pieces whose removal would lose the most corpus
 * likelihood, estimated from Viterbi counts as SentencePiece's PruneSentencePieces does.
 */
function prune(pieces: ScoredPiece[], lattices: Lattices, chars: ReadonlySet<string>, target: number): ScoredPiece[] {
  const { tokenCounts, segmentFreqs, totalSegmentFreq } = lattices.viterbiCounts(pieces);
  const index = new Map(pieces.map((p, i) => [p.piece, i]));
  const table = scoreTable(pieces);
  const totalTokens = tokenCounts.reduce((a, b) => a + b, 0);
  const candidates: { i: number; loss: number }[] = [];
  const keep = new Set<number>();
  pieces.forEach(({ piece }, i) => {
    if (chars.has(piece)) {
      keep.add(i);
      return;
    }
    const freq = tokenCounts[i]!;
    if (freq === 0) return;
    const alternatives = viterbiPieces(i, { pieces, table, index });
    const logProbPiece = Math.log(freq) - Math.log(totalTokens);
    // Without the piece, each of its uses becomes its alternatives: counts move, the total grows.
    const logTotalAlt = Math.log(totalTokens + freq * (alternatives.length - 1));
    const logProbAlt = alternatives.reduce((sum, a) => sum + Math.log(tokenCounts[a]! + freq) - logTotalAlt, 0);
    candidates.push({ i, loss: (segmentFreqs[i]! / totalSegmentFreq) * (logProbPiece - logProbAlt) });
  });
  candidates.sort((a, b) => b.loss - a.loss || a.i - b.i);
  for (const { i } of candidates) {
    if (keep.size >= target) break;
    keep.add(i);
  }
  return pieces.filter((_, i) => keep.has(i));
}

function finalPieces(pieces: ScoredPiece[], chars: ReadonlySet<string>, maxPieces: number): ScoredPiece[] {
  const byScore = (a: ScoredPiece, b: ScoredPiece): number => b.score - a.score || (a.piece < b.piece ? -1 : a.piece > b.piece ? 1 : 0);
  const charPieces = pieces.filter((p) => chars.has(p.piece));
  const others = pieces.filter((p) => !chars.has(p.piece)).sort(byScore).slice(0, Math.max(0, maxPieces - charPieces.length));
  return [...charPieces, ...others].sort(byScore);
}

/** The digamma function ψ(x) for x > 0: recurrence up to 6, then the asymptotic series. */
export function digamma(x: number): number {
  let result = 0;
  let v = x;
  while (v < 6) {
    result -= 1 / v;
    v += 1;
  }
  const f = 1 / (v * v);
  return result + Math.log(v) - 0.5 / v - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}
