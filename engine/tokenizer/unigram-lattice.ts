// Segment lattices for unigram training: every way to cut a segment into vocabulary pieces, with
// forward-backward expected piece counts (the E-step) and Viterbi best paths (for pruning). A character
// outside the vocabulary is an unknown edge scored below every piece, as in SentencePiece's encoder.
import type { ScoredPiece } from './unigram-trainer.ts';

const UNKNOWN = -1;
// SentencePiece scores an unknown character this far below the lowest piece (kUnkPenalty).
const UNKNOWN_PENALTY = 10;

interface Edges {
  starts: number[];
  ends: number[];
  ids: number[];
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** Where lattice edges come from: pieces by string, up to `maxLength` code points, never piece `excluded`. */
interface EdgeSource {
  index: ReadonlyMap<string, number>;
  maxLength: number;
  excluded?: number;
}

/** All pieces within code points `cps`, ordered by start position (then end). */
function edgesOf(cps: readonly string[], { index, maxLength, excluded = -2 }: EdgeSource): Edges {
  const edges: Edges = { starts: [], ends: [], ids: [] };
  for (let i = 0; i < cps.length; i++) {
    let text = '';
    let single = false;
    for (let j = i; j < Math.min(cps.length, i + maxLength); j++) {
      text += cps[j]!;
      const id = index.get(text);
      if (id === undefined || id === excluded) continue;
      if (j === i) single = true;
      edges.starts.push(i);
      edges.ends.push(j + 1);
      edges.ids.push(id);
    }
    if (!single) {
      edges.starts.push(i);
      edges.ends.push(i + 1);
      edges.ids.push(UNKNOWN);
    }
  }
  return edges;
}

export interface ScoreTable {
  scores: Float64Array;
  /** The score of an unknown character. */
  unknown: number;
}

export function scoreTable(pieces: readonly ScoredPiece[]): ScoreTable {
  const scores = Float64Array.from(pieces, (p) => p.score);
  let lowest = Infinity;
  for (const score of scores) lowest = Math.min(lowest, score);
  return { scores, unknown: lowest - UNKNOWN_PENALTY };
}

/** Best segmentation of `cps` over `edges` as piece ids (unknown characters as -1). */
function viterbi(cps: readonly string[], edges: Edges, { scores, unknown }: ScoreTable): number[] {
  const best = new Float64Array(cps.length + 1).fill(-Infinity);
  const back = new Int32Array(cps.length + 1).fill(-1);
  best[0] = 0;
  for (let e = 0; e < edges.ids.length; e++) {
    const id = edges.ids[e]!;
    const score = best[edges.starts[e]!]! + (id === UNKNOWN ? unknown : scores[id]!);
    if (score > best[edges.ends[e]!]!) {
      best[edges.ends[e]!] = score;
      back[edges.ends[e]!] = e;
    }
  }
  const path: number[] = [];
  for (let pos = cps.length; pos > 0; pos = edges.starts[back[pos]!]!) path.push(edges.ids[back[pos]!]!);
  return path.reverse();
}

/** The best way to spell piece `id` with the other pieces (SentencePiece's "alternatives" when pruning). */
export function viterbiPieces(id: number, vocab: { pieces: readonly ScoredPiece[]; table: ScoreTable; index: ReadonlyMap<string, number> }): number[] {
  const cps = Array.from(vocab.pieces[id]!.piece);
  const edges = edgesOf(cps, { index: vocab.index, maxLength: cps.length, excluded: id });
  return viterbi(cps, edges, vocab.table).filter((piece) => piece !== UNKNOWN);
}

export class Lattices {
  private readonly segments: string[][];
  private readonly freqs: number[];

  constructor(segments: ReadonlyMap<string, number>, private readonly maxLength: number) {
    this.segments = [...segments.keys()].map((s) => Array.from(s));
    this.freqs = [...segments.values()];
  }

  /** E-step: the expected count of every piece over all segment lattices, weighted by segment frequency. */
  expectedCounts(pieces: readonly ScoredPiece[]): Float64Array {
    const index = new Map(pieces.map((p, i) => [p.piece, i]));
    const { scores, unknown } = scoreTable(pieces);
    const expected = new Float64Array(pieces.length);
    this.segments.forEach((cps, s) => {
      const edges = edgesOf(cps, { index, maxLength: this.maxLength });
      const n = edges.ids.length;
      const score = (e: number): number => (edges.ids[e] === UNKNOWN ? unknown : scores[edges.ids[e]!]!);
      const alpha = new Float64Array(cps.length + 1).fill(-Infinity);
      const beta = new Float64Array(cps.length + 1).fill(-Infinity);
      alpha[0] = 0;
      beta[cps.length] = 0;
      for (let e = 0; e < n; e++) alpha[edges.ends[e]!] = logAddExp(alpha[edges.ends[e]!]!, alpha[edges.starts[e]!]! + score(e));
      for (let e = n - 1; e >= 0; e--) beta[edges.starts[e]!] = logAddExp(beta[edges.starts[e]!]!, score(e) + beta[edges.ends[e]!]!);
      const logZ = alpha[cps.length]!;
      for (let e = 0; e < n; e++) {
        const id = edges.ids[e]!;
        if (id === UNKNOWN) continue;
        expected[id] += this.freqs[s]! * Math.exp(alpha[edges.starts[e]!]! + score(e) + beta[edges.ends[e]!]! - logZ);
      }
    });
    return expected;
  }

  /** Viterbi token counts per piece, and the total frequency of segments whose best path uses each piece. */
  viterbiCounts(pieces: readonly ScoredPiece[]): { tokenCounts: Float64Array; segmentFreqs: Float64Array; totalSegmentFreq: number } {
    const index = new Map(pieces.map((p, i) => [p.piece, i]));
    const table = scoreTable(pieces);
    const tokenCounts = new Float64Array(pieces.length);
    const segmentFreqs = new Float64Array(pieces.length);
    let totalSegmentFreq = 0;
    this.segments.forEach((cps, s) => {
      const freq = this.freqs[s]!;
      totalSegmentFreq += freq;
      const path = viterbi(cps, edgesOf(cps, { index, maxLength: this.maxLength }), table).filter((id) => id !== UNKNOWN);
      for (const id of path) tokenCounts[id] += freq;
      for (const id of new Set(path)) segmentFreqs[id] += freq;
    });
    return { tokenCounts, segmentFreqs, totalSegmentFreq };
  }
}
