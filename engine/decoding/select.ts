// Top-k selection over typed arrays without sorting the whole vocabulary: a bounded min-heap keeps the
// k best (value desc, index asc on ties, so results are deterministic and match a first-max argmax).

/** Index of the largest finite value (lowest index on ties); -1 when every value is -Infinity or NaN. */
export function argmax(values: Float32Array, start: number, end: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best < 0 ? -1 : best - start;
}

/**
 * Reusable k-best selector. `push` candidates (value, id); `drain` writes them best first.
 * Candidates with value -Infinity/NaN are never kept.
 */
export class TopK {
  private readonly values: Float64Array;
  private readonly ids: Int32Array;
  private size = 0;
  /**
   * The value a candidate must reach to be kept (-Infinity until full). Hot loops test it inline before
   * calling `push`, which keeps the common case (rejection) to one comparison.
   */
  floor = -Infinity;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
  }

  reset(): void {
    this.size = 0;
    this.floor = -Infinity;
  }

  get count(): number {
    return this.size;
  }

  /** True when (v, id) ranks below (w, jd): smaller value, or equal value and larger id. */
  private static worse(v: number, id: number, w: number, jd: number): boolean {
    return v < w || (v === w && id > jd);
  }

  push(value: number, id: number): void {
    if (!(value > -Infinity) || this.capacity === 0) return;
    const { values, ids } = this;
    if (this.size < this.capacity) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!TopK.worse(value, id, values[p]!, ids[p]!)) break;
        values[i] = values[p]!;
        ids[i] = ids[p]!;
        i = p;
      }
      values[i] = value;
      ids[i] = id;
      if (this.size === this.capacity) this.floor = values[0]!;
      return;
    }
    if (TopK.worse(value, id, values[0]!, ids[0]!)) return;
    this.siftDown(value, id, this.size);
    this.floor = values[0]!;
  }

  /** Replace the root (the worst kept) with (value, id) and restore the heap over `n` items. */
  private siftDown(value: number, id: number, n: number): void {
    const { values, ids } = this;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && TopK.worse(values[r]!, ids[r]!, values[l]!, ids[l]!)) c = r;
      if (!TopK.worse(values[c]!, ids[c]!, value, id)) break;
      values[i] = values[c]!;
      ids[i] = ids[c]!;
      i = c;
    }
    values[i] = value;
    ids[i] = id;
  }

  /** Write the kept candidates best first into outValues/outIds; returns how many; empties the heap. */
  drain(outValues: Float64Array, outIds: Int32Array): number {
    const n = this.size;
    for (let k = n - 1; k >= 0; k--) {
      outValues[k] = this.values[0]!;
      outIds[k] = this.ids[0]!;
      const last = --this.size;
      if (last > 0) this.siftDown(this.values[last]!, this.ids[last]!, last);
    }
    this.floor = -Infinity;
    return n;
  }
}
