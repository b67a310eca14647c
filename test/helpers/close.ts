// Numeric comparison to a relative tolerance, reporting the worst element.
import { expect } from 'vitest';

type Nested = number | Nested[];

export function flat(x: Nested | Float32Array | ArrayLike<number>): number[] {
  if (typeof x === 'number') return [x];
  if (x instanceof Float32Array || !Array.isArray(x)) return Array.from(x as ArrayLike<number>);
  return (x as Nested[]).flatMap((v) => flat(v));
}

/** |a − b| ≤ rtol·|b| + atol elementwise. */
export function expectClose(actual: Nested | ArrayLike<number>, expected: Nested | ArrayLike<number>, rtol = 1e-4, atol = 1e-6): void {
  const a = flat(actual as Nested);
  const e = flat(expected as Nested);
  expect(a.length).toBe(e.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i]! - e[i]!) - (rtol * Math.abs(e[i]!) + atol);
    if (excess > worst) [worst, at] = [excess, i];
  }
  if (at >= 0) expect.fail(`element ${at}: ${a[at]} vs expected ${e[at]} (beyond tolerance by ${worst})`);
}
