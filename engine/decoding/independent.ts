// Greedy decoding and sampling: rows that never interact. Greedy keeps one row and takes the argmax;
// sampling keeps nBest rows, each drawing its next token with the request's seeded PRNG.
import { Random } from '../random.ts';
import type { Hypothesis, PartialHypothesis } from './results.ts';
import { RowHistory } from './row-history.ts';
import { argmax } from './select.ts';
import { Sampler } from './sampling.ts';
import { attentionSource, byScore, SearchCore, type Search, type SearchSetup, type StepView } from './search.ts';

export class IndependentSearch implements Search {
  readonly initialRows: number;
  private readonly core: SearchCore;
  private readonly hist: RowHistory;
  private readonly sampler: Sampler | null;
  private scores: Float64Array;
  private nextScores: Float64Array;
  private readonly parents: Int32Array;
  private readonly picked: Int32Array;
  private readonly pickedLogps: Float32Array;
  private readonly done_: Hypothesis[] = [];
  steps = 0;

  constructor(setup: SearchSetup) {
    const o = setup.options;
    const rows = o.strategy === 'sample' ? o.nBest : 1;
    this.initialRows = rows;
    this.core = new SearchCore(setup, rows);
    this.hist = new RowHistory(rows, setup.srcLen, { attention: o.returnAttention, coverage: o.coveragePenalty > 0 });
    this.hist.rows = rows;
    this.sampler = o.strategy === 'sample' ? new Sampler(setup.vocabSize, o, new Random(setup.seed)) : null;
    this.scores = new Float64Array(rows);
    this.nextScores = new Float64Array(rows);
    this.parents = new Int32Array(rows);
    this.picked = new Int32Array(rows);
    this.pickedLogps = new Float32Array(rows);
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

  advance(view: StepView): Int32Array {
    const { core, hist } = this;
    core.checkAttention(view);
    const V = core.vocab;
    const eos = core.setup.specials.eos;
    const atMax = hist.len >= core.maxLength;
    let kept = 0;
    for (let r = 0; r < hist.rows; r++) {
      let token = -1;
      if (!atMax) {
        core.prepareRow(view, r, 0, hist);
        token = this.sampler ? this.sampler.pick(core.ranking, 0) : argmax(core.ranking, 0, V);
      }
      if (token < 0 || token === eos) {
        // EOS chosen, max length reached, or every token banned: end the row here (never empty).
        const forced = token < 0;
        const e = forced ? core.eosValues(view, r, hist.len) : { logp: core.masked[eos]!, rank: core.ranking[eos]! };
        this.done_.push(core.finish(hist, r, this.scores[r]! + e.rank, e.logp));
        continue;
      }
      this.parents[kept] = r;
      this.picked[kept] = token;
      this.pickedLogps[kept] = core.masked[token]!;
      this.nextScores[kept] = this.scores[r]! + core.ranking[token]!;
      kept++;
    }
    const parents = this.parents.slice(0, kept);
    hist.advance({ count: kept, parents, tokens: this.picked, logps: this.pickedLogps }, attentionSource(view));
    [this.scores, this.nextScores] = [this.nextScores, this.scores];
    this.steps++;
    return parents;
  }

  partial(): PartialHypothesis | null {
    const { hist } = this;
    if (hist.rows === 0) return null;
    let best = 0;
    for (let r = 1; r < hist.rows; r++) if (this.scores[r]! > this.scores[best]!) best = r;
    const tokenLogps = hist.rowLogps(best);
    return { tokens: hist.rowTokens(best), step: this.steps, logProb: tokenLogps.reduce((a, b) => a + b, 0) };
  }

  finished(): Hypothesis[] {
    return [...this.done_].sort(byScore);
  }
}
