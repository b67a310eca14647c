// Seedable pseudo-random numbers (mulberry32): reproducible initialisation, dropout seeds, data order,
// sampled decodes and synthetic corpora — identical for the same seed on every machine.
// The whole generator state is one 32-bit integer, so a checkpoint can save and restore it exactly.

export class Random {
  private s: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    this.s = seed >>> 0;
  }

  /** The generator's state, to save in a checkpoint. */
  get state(): number {
    return this.s;
  }

  set state(value: number) {
    this.s = value >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uniform integer in [lo, hi], both inclusive. */
  between(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /**
   * Fills `out` with an inverted-dropout mask: element i is 0 where the i-th draw is below `p`, else
   * `keep`. The same draws, in the same order, as `next() < p ? 0 : keep` element by element (dividing
   * by 2^32 is exact in a double, so comparing the 32-bit integer with p·2^32 decides alike), with the
   * generator inlined on a local state: a training step draws about a million of them.
   */
  fillDropoutMask(out: Float32Array, p: number, keep: number): void {
    const threshold = p * 4294967296;
    let s = this.s;
    for (let i = 0; i < out.length; i++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = ((t ^ (t >>> 14)) >>> 0) < threshold ? 0 : keep;
    }
    this.s = s;
  }

  /** A fresh 31-bit seed, for tfjs ops that take their own seed. */
  seed(): number {
    return Math.floor(this.next() * 2147483647);
  }

  /** Shuffle in place (Fisher–Yates). */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/** A fresh seed when the caller gave none (reported back so that the run can be reproduced). */
export function drawSeed(): number {
  return Math.floor(Math.random() * 0x100000000) >>> 0;
}
