// Exhaustive enumeration of every output a tiny model can produce (tokens then EOS, forced at max
// length), to check search results against the true optimum of a scoring formula.
import { SPECIALS } from './table-model.ts';

export interface Scored {
  tokens: number[];
  logProb: number;
  /** log-probability of each token, EOS last. */
  steps: number[];
}

export function enumerate(opts: {
  vocabSize: number;
  next: (prefix: number[]) => ArrayLike<number>;
  minLength: number;
  maxLength: number;
}): Scored[] {
  const body = Array.from({ length: opts.vocabSize }, (_, v) => v).filter((v) => v !== SPECIALS.pad && v !== SPECIALS.bos && v !== SPECIALS.eos);
  const out: Scored[] = [];
  const walk = (prefix: number[], steps: number[]): void => {
    const lp = opts.next(prefix);
    if (prefix.length >= opts.minLength) {
      const s = [...steps, lp[SPECIALS.eos]!];
      out.push({ tokens: prefix, logProb: s.reduce((a, b) => a + b, 0), steps: s });
    }
    if (prefix.length === opts.maxLength) return;
    for (const v of body) walk([...prefix, v], [...steps, lp[v]!]);
  };
  walk([], []);
  return out;
}

export function best<T>(items: T[], score: (t: T) => number): T {
  return items.reduce((a, b) => (score(b) > score(a) ? b : a));
}
