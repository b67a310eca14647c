// Sampling one token from a (masked) row of log-probabilities: temperature, top-k (Fan et al. 2018) and
// nucleus/top-p (Holtzman et al. 2020; applied after top-k, to the renormalised k best, as Hugging Face
// does), drawn with a seeded PRNG. Only the candidates are ever sorted.
import type { Random } from '../random.ts';
import { TopK } from './select.ts';

export interface SamplerOptions {
  temperature: number;
  topK: number;
  topP: number;
}

export class Sampler {
  private readonly ids: Int32Array;
  private readonly weights: Float64Array;
  private readonly topK: TopK | null;
  private readonly topKValues: Float64Array;

  constructor(private readonly vocabSize: number, private readonly options: SamplerOptions, private readonly prng: Random) {
    this.ids = new Int32Array(vocabSize);
    this.weights = new Float64Array(vocabSize);
    this.topK = options.topK > 0 ? new TopK(Math.min(options.topK, vocabSize)) : null;
    this.topKValues = new Float64Array(this.topK ? this.topK.capacity : 0);
  }

  /** A token drawn from `row[start .. start+vocab)`; -1 when every token is banned. */
  pick(row: Float32Array, start: number): number {
    const n = this.candidates(row, start);
    if (n === 0) return -1;
    const { ids, weights } = this;
    let max = -Infinity;
    for (let i = 0; i < n; i++) max = Math.max(max, row[start + ids[i]!]!);
    // A temperature under ~5.6e-309 makes 1/T infinite, and 0·∞ would give the likeliest token a NaN
    // weight: it gets weight 1 itself, so such a temperature samples as argmax, as its limit does.
    const invT = 1 / this.options.temperature;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = row[start + ids[i]!]! - max;
      const w = d === 0 ? 1 : Math.exp(d * invT);
      weights[i] = w;
      total += w;
    }
    let count = n;
    if (this.options.topP < 1) count = this.nucleus(n, total);
    let mass = 0;
    for (let i = 0; i < count; i++) mass += weights[i]!;
    const u = this.prng.next() * mass;
    let acc = 0;
    for (let i = 0; i < count; i++) {
      acc += weights[i]!;
      if (u < acc) return ids[i]!;
    }
    return ids[count - 1]!;
  }

  /** Fill `ids` with the allowed tokens (best first under top-k, vocabulary order otherwise). */
  private candidates(row: Float32Array, start: number): number {
    const { ids } = this;
    if (this.topK) {
      const topK = this.topK;
      for (let v = 0; v < this.vocabSize; v++) {
        const x = row[start + v]!;
        if (x >= topK.floor) topK.push(x, v);
      }
      return this.topK.drain(this.topKValues, ids);
    }
    let n = 0;
    for (let v = 0; v < this.vocabSize; v++) if (row[start + v]! > -Infinity) ids[n++] = v;
    return n;
  }

  /**
   * Reorder the candidates so that the nucleus (the smallest set of most likely tokens whose probability
   * reaches topP) comes first, and return its size. Under top-k the candidates are already sorted;
   * otherwise a quickselect on probability mass finds the set in expected O(vocab) without sorting.
   */
  private nucleus(n: number, total: number): number {
    const { ids, weights, options } = this;
    let need = options.topP * total;
    if (this.topK) {
      for (let i = 0; i < n; i++) {
        need -= weights[i]!;
        if (need <= 0) return i + 1;
      }
      return n;
    }
    let lo = 0;
    let hi = n;
    while (hi > lo && need > 0) {
      // Three-way partition of [lo, hi) around the pivot: heavier | equal | lighter.
      const pivot = weights[lo + ((hi - lo) >> 1)]!;
      let gt = lo;
      let i = lo;
      let lt = hi;
      let massGt = 0;
      let massEq = 0;
      while (i < lt) {
        const w = weights[i]!;
        if (w > pivot) {
          this.swap(i++, gt++);
          massGt += w;
        } else if (w < pivot) {
          this.swap(i, --lt);
        } else {
          i++;
          massEq += w;
        }
      }
      if (massGt >= need) {
        hi = gt;
      } else if (massGt + massEq >= need) {
        need -= massGt;
        let k = gt;
        while (need > 0 && k < lt) need -= weights[k++]!;
        return k;
      } else {
        need -= massGt + massEq;
        lo = lt;
      }
    }
    return Math.max(lo, 1);
  }

  private swap(a: number, b: number): void {
    const { ids, weights } = this;
    const id = ids[a]!;
    ids[a] = ids[b]!;
    ids[b] = id;
    const w = weights[a]!;
    weights[a] = weights[b]!;
    weights[b] = w;
  }
}
