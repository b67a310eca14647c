// What every search strategy shares: the per-request setup (effective lengths, constraints, MMI-antiLM
// adjustment), the Search interface the batch runner drives, and finishing a row into a hypothesis.
import { applyConstraints, type RowConstraints } from './blocking.ts';
import { DecodingOptionsError, type DecodingOptions } from './options.ts';
import { coverageSum, lengthNormalised } from './penalties.ts';
import type { Hypothesis, PartialHypothesis } from './results.ts';
import { RowHistory, type AttentionSource } from './row-history.ts';
import type { SpecialIds } from './step-model.ts';

export interface SearchSetup {
  options: DecodingOptions;
  specials: SpecialIds;
  vocabSize: number;
  source: number[];
  /** Source length as the model sees it (attention width). */
  srcLen: number;
  /** Extra text (e.g. earlier turns) whose n-grams blockSourceNgrams also blocks. */
  context: number[][];
  seed: number;
}

/** One decoder step's output as seen by one search: its rows start at row0 (lmRow0 in the LM lane). */
export interface StepView {
  logProbs: Float32Array;
  attention: Float32Array | null;
  attStride: number;
  row0: number;
  lmLogProbs: Float32Array | null;
  lmRow0: number;
}

/** A strategy's bookkeeping for one request: it owns `rows` consecutive rows of the batch. */
export interface Search {
  readonly rows: number;
  readonly initialRows: number;
  readonly done: boolean;
  /** Steps taken so far. */
  readonly steps: number;
  /** Whether the next step needs the unconditional LM's log-probabilities (MMI-antiLM, t < γ). */
  readonly needsLm: boolean;
  writePrevTokens(dst: Int32Array, offset: number): void;
  /** Consume one step; returns, for each row of the next step, its parent (search-local) row. */
  advance(view: StepView): Int32Array;
  partial(): PartialHypothesis | null;
  /** Finished hypotheses, best first. */
  finished(): Hypothesis[];
}

export function effectiveLengths(o: DecodingOptions, srcLen: number): { min: number; max: number } {
  const max = o.maxLengthRatio === null ? o.maxLength : Math.min(o.maxLength, Math.max(1, Math.ceil(o.maxLengthRatio * srcLen)));
  const min = Math.max(o.minLength, o.minLengthRatio === null ? 0 : Math.floor(o.minLengthRatio * srcLen));
  return { min: Math.min(min, max), max };
}

/** Shared per-row work: masking, the antiLM-adjusted ranking values, and finishing hypotheses. */
export class SearchCore {
  readonly minLength: number;
  readonly maxLength: number;
  readonly vocab: number;
  private readonly constraints: RowConstraints;
  /** [maxRows, vocab] masked log-probabilities, and the values ranked (antiLM-adjusted, or the same). */
  readonly masked: Float32Array;
  readonly ranking: Float32Array;

  constructor(readonly setup: SearchSetup, maxRows: number) {
    const o = setup.options;
    // Ratios count the request's source tokens; srcLen may include what the model appends (EOS).
    const { min, max } = effectiveLengths(o, setup.source.length);
    this.minLength = min;
    this.maxLength = max;
    this.vocab = setup.vocabSize;
    this.constraints = { options: o, specials: setup.specials, blockedText: [setup.source, ...setup.context], minLength: min, maxLength: max };
    this.masked = new Float32Array(maxRows * this.vocab);
    this.ranking = o.mmiAntiLm ? new Float32Array(maxRows * this.vocab) : this.masked;
  }

  lmActive(steps: number): boolean {
    const m = this.setup.options.mmiAntiLm;
    return m !== null && steps < m.gamma;
  }

  checkAttention(view: StepView): void {
    if (view.attention === null && this.setup.options.coveragePenalty > 0) {
      throw new DecodingOptionsError('coveragePenalty', 'the model gives no attention to compute coverage from');
    }
  }

  /** Fill masked/ranking slot `slot` from batch row view.row0 + r for a hypothesis in `hist` row r. */
  prepareRow(view: StepView, r: number, slot: number, hist: RowHistory): void {
    const V = this.vocab;
    const src = (view.row0 + r) * V;
    const masked = this.masked.subarray(slot * V, (slot + 1) * V);
    masked.set(view.logProbs.subarray(src, src + V));
    applyConstraints(masked, { tokens: hist.tokens, start: r * hist.stride, len: hist.len }, this.constraints);
    if (this.ranking !== this.masked) {
      const ranking = this.ranking.subarray(slot * V, (slot + 1) * V);
      if (this.lmActive(hist.len) && view.lmLogProbs) {
        const lambda = this.setup.options.mmiAntiLm!.lambda;
        const lm = (view.lmRow0 + r) * V;
        for (let v = 0; v < V; v++) ranking[v] = masked[v]! - lambda * view.lmLogProbs[lm + v]!;
      } else {
        ranking.set(masked);
      }
    }
  }

  /** The (unmasked) EOS log-probability of row r and its ranking value, for forced endings. */
  eosValues(view: StepView, r: number, steps: number): { logp: number; rank: number } {
    const eos = this.setup.specials.eos;
    const logp = view.logProbs[(view.row0 + r) * this.vocab + eos]!;
    if (!this.lmActive(steps) || !view.lmLogProbs) return { logp, rank: logp };
    return { logp, rank: logp - this.setup.options.mmiAntiLm!.lambda * view.lmLogProbs[(view.lmRow0 + r) * this.vocab + eos]! };
  }

  /** A hypothesis from row r of `hist` ended by EOS; searchScore includes the EOS step. */
  finish(hist: RowHistory, r: number, searchScore: number, eosLogProb: number): Hypothesis {
    const o = this.setup.options;
    const tokenLogProbs = hist.rowLogps(r);
    let logProb = eosLogProb;
    for (const l of tokenLogProbs) logProb += l;
    let score = lengthNormalised(searchScore, hist.len + 1, o.lengthPenalty);
    if (hist.coverage) score += o.coveragePenalty * coverageSum(hist.coverage.subarray(r * hist.srcLen, (r + 1) * hist.srcLen));
    const h: Hypothesis = { tokens: hist.rowTokens(r), score, logProb, tokenLogProbs, eosLogProb };
    const attention = hist.rowAttention(r);
    if (attention) h.attention = attention;
    return h;
  }
}

/**
 * What greedy/sampling and beam search keep alike: the live rows' history and scores, the finished
 * hypotheses, and the Search members that read them.
 */
export abstract class RowSearch implements Search {
  abstract readonly initialRows: number;
  protected readonly core: SearchCore;
  protected readonly hist: RowHistory;
  /** Search score of each live row, and the buffer the next step's scores are written into. */
  protected scores: Float64Array;
  protected nextScores: Float64Array;
  protected readonly done_: Hypothesis[] = [];
  steps = 0;

  constructor(setup: SearchSetup, maxRows: number, coreRows: number) {
    const o = setup.options;
    this.core = new SearchCore(setup, coreRows);
    this.hist = new RowHistory(maxRows, setup.srcLen, { attention: o.returnAttention, coverage: o.coveragePenalty > 0 });
    this.scores = new Float64Array(maxRows);
    this.nextScores = new Float64Array(maxRows);
  }

  get rows(): number {
    return this.hist.rows;
  }

  get done(): boolean {
    return this.hist.rows === 0;
  }

  get needsLm(): boolean {
    return this.core.lmActive(this.steps);
  }

  writePrevTokens(dst: Int32Array, offset: number): void {
    const { hist } = this;
    const bos = this.core.setup.specials.bos;
    for (let r = 0; r < hist.rows; r++) dst[offset + r] = hist.len === 0 ? bos : hist.tokens[r * hist.stride + hist.len - 1]!;
  }

  abstract advance(view: StepView): Int32Array;

  partial(): PartialHypothesis | null {
    const { hist } = this;
    if (hist.rows === 0) return null;
    let best = 0;
    for (let r = 1; r < hist.rows; r++) if (this.scores[r]! > this.scores[best]!) best = r;
    const logps = hist.rowLogps(best);
    return { tokens: hist.rowTokens(best), step: this.steps, logProb: logps.reduce((a, b) => a + b, 0) };
  }

  finished(): Hypothesis[] {
    return [...this.done_].sort(byScore);
  }

  /** Swap the score buffers after a step wrote nextScores. */
  protected swapScores(): void {
    [this.scores, this.nextScores] = [this.nextScores, this.scores];
  }
}

export function byScore(a: Pick<Hypothesis, 'score' | 'tokens'>, b: Pick<Hypothesis, 'score' | 'tokens'>): number {
  return b.score - a.score || a.tokens.length - b.tokens.length;
}

/** Attention of a step for search-local row r, or null when the model has none. */
export function attentionSource(view: StepView): AttentionSource | null {
  if (!view.attention) return null;
  const data = view.attention;
  return { data, offset: (parent: number) => (view.row0 + parent) * view.attStride };
}
