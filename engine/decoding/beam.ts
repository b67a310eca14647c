// Beam search of width k as fairseq (2k candidates per step, EOS counts only in the top k; penalties score
// hypotheses as they finish), and diverse beam search: G groups of k/G beams, a group's scores lowered by λ
// per earlier group's choice of the same token at this step (Hamming diversity, Vijayakumar et al. 2016).
import { TopK } from './select.ts';
import { attentionSource, RowSearch, type SearchSetup, type StepView } from './search.ts';

export class BeamSearch extends RowSearch {
  readonly initialRows = 1;
  private readonly groups: number;
  private readonly width: number;
  private readonly diversity: number;
  /** Rows of each group in the current layout (all groups share row 0 at the start). */
  private groupRows: number[][];
  private readonly groupDone: boolean[];
  private readonly groupFinished: number[];
  private readonly topk: TopK;
  private readonly candValues: Float64Array;
  private readonly candIds: Int32Array;
  private readonly tokenCounts: Float64Array;
  private readonly parents: Int32Array;
  private readonly picked: Int32Array;
  private readonly pickedLogps: Float32Array;

  constructor(setup: SearchSetup) {
    const o = setup.options;
    const k = o.beamSize;
    const groups = o.strategy === 'diverse-beam' ? o.beamGroups : 1;
    super(setup, k, k / groups);
    this.groups = groups;
    this.width = k / groups;
    this.diversity = o.strategy === 'diverse-beam' ? o.diversityStrength : 0;
    this.hist.rows = 1;
    this.groupRows = Array.from({ length: this.groups }, () => [0]);
    this.groupDone = new Array<boolean>(this.groups).fill(false);
    this.groupFinished = new Array<number>(this.groups).fill(0);
    this.topk = new TopK(2 * this.width);
    this.candValues = new Float64Array(2 * this.width);
    this.candIds = new Int32Array(2 * this.width);
    this.tokenCounts = new Float64Array(setup.vocabSize);
    this.parents = new Int32Array(k);
    this.picked = new Int32Array(k);
    this.pickedLogps = new Float32Array(k);
  }

  advance(view: StepView): Int32Array {
    const { core, hist } = this;
    core.checkAttention(view);
    let kept = 0;
    const chosenTokens: number[] = [];
    const nextGroupRows: number[][] = [];
    for (let g = 0; g < this.groups; g++) {
      const start = kept;
      if (!this.groupDone[g]) kept = this.advanceGroup(g, view, kept, chosenTokens);
      nextGroupRows.push(Array.from({ length: kept - start }, (_, i) => start + i));
      if (kept === start) this.groupDone[g] = true;
    }
    for (const t of chosenTokens) this.tokenCounts[t] = 0;
    const parents = this.parents.slice(0, kept);
    hist.advance({ count: kept, parents, tokens: this.picked, logps: this.pickedLogps }, attentionSource(view));
    this.swapScores();
    this.groupRows = nextGroupRows;
    this.steps++;
    return parents;
  }

  /** One group's step: writes its surviving rows from index `kept`; returns the new `kept`. */
  private advanceGroup(g: number, view: StepView, kept: number, chosenTokens: number[]): number {
    const { core, hist, topk, width } = this;
    const V = core.vocab;
    const eos = core.setup.specials.eos;
    const rows = this.groupRows[g]!;
    if (hist.len >= core.maxLength) {
      // Max length: every live hypothesis ends here, so a result always exists.
      for (const r of rows) {
        const e = core.eosValues(view, r, hist.len);
        this.done_.push(core.finish(hist, r, this.scores[r]! + e.rank, e.logp));
      }
      this.groupDone[g] = true;
      return kept;
    }
    topk.reset();
    for (let j = 0; j < rows.length; j++) {
      const r = rows[j]!;
      core.prepareRow(view, r, j, hist);
      const ranking = core.ranking;
      const base = this.scores[r]!;
      const off = j * V;
      if (this.diversity > 0) {
        const counts = this.tokenCounts;
        const lambda = this.diversity;
        for (let v = 0; v < V; v++) {
          const x = base + ranking[off + v]! - lambda * counts[v]!;
          if (x >= topk.floor) topk.push(x, off + v);
        }
      } else {
        for (let v = 0; v < V; v++) {
          const x = base + ranking[off + v]!;
          if (x >= topk.floor) topk.push(x, off + v);
        }
      }
    }
    const n = topk.drain(this.candValues, this.candIds);
    let live = 0;
    const localTokens: number[] = [];
    for (let i = 0; i < n && live < width; i++) {
      const id = this.candIds[i]!;
      const j = Math.floor(id / V);
      const v = id - j * V;
      const r = rows[j]!;
      if (v === eos) {
        if (i >= width) continue;
        this.done_.push(core.finish(hist, r, this.candValues[i]!, core.masked[id]!));
        this.groupFinished[g]!++;
      } else {
        this.parents[kept] = r;
        this.picked[kept] = v;
        this.pickedLogps[kept] = core.masked[id]!;
        this.nextScores[kept] = this.candValues[i]!;
        kept++;
        live++;
      }
      localTokens.push(v);
    }
    for (const v of localTokens) {
      this.tokenCounts[v]!++;
      chosenTokens.push(v);
    }
    if (this.groupFinished[g]! >= width) {
      this.groupDone[g] = true;
      return kept - live;
    }
    if (live === 0 && this.groupFinished[g] === 0) {
      // Every continuation is banned: end the live hypotheses rather than return nothing.
      for (const r of rows) {
        const e = core.eosValues(view, r, hist.len);
        this.done_.push(core.finish(hist, r, this.scores[r]! + e.rank, e.logp));
      }
    }
    return kept;
  }
}
