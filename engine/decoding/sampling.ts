// Sampling one token from a (masked) row of log-probabilities: temperature, top-k (Fan et al. 2018) and
// nucleus/top-p (Holtzman et al. 2020; applied after top-k, to the renormalised k best, as Hugging Face
// does), drawn with a seeded PRNG. Only the candidates are ever sorted.
import type { Prng } from './prng.ts';
import { TopK } from './select.ts';

export interface SamplerOptions {
  temperature: number;
  topK: number;
  topP: number;
}

export class Sampler {
  private readonly ids: Int32Array;
  private readonly weights: Float64Array;
  private readonly heap: Int32Array;
  private readonly topK: TopK | null;
  private readonly topKValues: Float64Array;

  constructor(private readonly vocabSize: number, private readonly options: SamplerOptions, private readonly prng: Prng) {
    this.ids = new Int32Array(vocabSize);
    this.weights = new Float64Array(vocabSize);
    this.heap = new Int32Array(options.topK > 0 ? 0 : vocabSize);
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
    const invT = 1 / this.options.temperature;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = Math.exp((row[start + ids[i]!]! - max) * invT);
      weights[i] = w;
      total += w;
    }
    let count = n;
    if (this.options.topP < 1) count = this.nucleus(row, start, n, total);
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
      for (let v = 0; v < this.vocabSize; v++) this.topK.push(row[start + v]!, v);
      return this.topK.drain(this.topKValues, ids);
    }
    let n = 0;
    for (let v = 0; v < this.vocabSize; v++) if (row[start + v]! > -Infinity) ids[n++] = v;
    return n;
  }

  /**
   * Reorder the candidates so that the nucleus (the smallest best-first prefix whose probability reaches
   * topP) comes first, and return its size. Under top-k the candidates are already sorted; otherwise a
   * max-heap pops only as many tokens as the nucleus holds.
   */
  private nucleus(row: Float32Array, start: number, n: number, total: number): number {
    const { ids, weights, options } = this;
    const target = options.topP * total;
    if (this.topK) {
      let acc = 0;
      for (let i = 0; i < n; i++) {
        acc += weights[i]!;
        if (acc >= target) return i + 1;
      }
      return n;
    }
    const heap = this.heap;
    const better = (a: number, b: number): boolean => {
      const va = row[start + ids[a]!]!;
      const vb = row[start + ids[b]!]!;
      return va > vb || (va === vb && ids[a]! < ids[b]!);
    };
    for (let i = 0; i < n; i++) heap[i] = i;
    const down = (i: number, size: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) return;
        let c = l;
        if (l + 1 < size && better(heap[l + 1]!, heap[l]!)) c = l + 1;
        if (!better(heap[c]!, heap[i]!)) return;
        const t = heap[i]!;
        heap[i] = heap[c]!;
        heap[c] = t;
        i = c;
      }
    };
    for (let i = (n >> 1) - 1; i >= 0; i--) down(i, n);
    const chosenIds: number[] = [];
    const chosenWeights: number[] = [];
    let size = n;
    let acc = 0;
    while (size > 0 && acc < target) {
      const top = heap[0]!;
      chosenIds.push(ids[top]!);
      chosenWeights.push(weights[top]!);
      acc += weights[top]!;
      heap[0] = heap[--size]!;
      down(0, size);
    }
    for (let i = 0; i < chosenIds.length; i++) {
      ids[i] = chosenIds[i]!;
      weights[i] = chosenWeights[i]!;
    }
    return chosenIds.length;
  }
}
