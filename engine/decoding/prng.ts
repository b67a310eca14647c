// A small seedable PRNG (mulberry32, Tommy Ettinger's 32-bit generator) so that sampled decodes are
// reproducible from their seed, independently of which other requests share the batch.

export interface Prng {
  /** A float in [0, 1). */
  next(): number;
}

export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A fresh seed when the caller gave none (reported back so the sample can be reproduced). */
export function drawSeed(): number {
  return Math.floor(Math.random() * 0x100000000) >>> 0;
}
