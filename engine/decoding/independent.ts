// Greedy decoding and sampling: rows that never interact. Greedy keeps one row and takes the argmax;
// sampling keeps nBest rows, each drawing its next token with the request's seeded PRNG.
import { Random } from '../random.ts';
import { argmax } from './select.ts';
import { Sampler } from './sampling.ts';
import { attentionSource, RowSearch, type SearchSetup, type StepView } from './search.ts';

export class IndependentSearch extends RowSearch {
  readonly initialRows: number;
  private readonly sampler: Sampler | null;
  private readonly parents: Int32Array;
  private readonly picked: Int32Array;
  private readonly pickedLogps: Float32Array;

  constructor(setup: SearchSetup) {
    const o = setup.options;
    const rows = o.strategy === 'sample' ? o.nBest : 1;
    super(setup, rows, rows);
    this.initialRows = rows;
    this.hist.rows = rows;
    this.sampler = o.strategy === 'sample' ? new Sampler(setup.vocabSize, o, new Random(setup.seed)) : null;
    this.parents = new Int32Array(rows);
    this.picked = new Int32Array(rows);
    this.pickedLogps = new Float32Array(rows);
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
    this.swapScores();
    this.steps++;
    return parents;
  }
}
