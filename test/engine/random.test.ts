// The seeded generator's dropout-mask fill draws exactly what element-by-element next() draws, so a
// run's masks (and a resumed run's) do not depend on which of the two drew them.
import { describe, expect, it } from 'vitest';
import { Random } from '../../engine/random.ts';

describe('Random.fillDropoutMask', () => {
  it.each([0.1, 0.4, 0.5, 0.9])('equals next() < p ? 0 : keep, element by element, and leaves the generator where it would (p %s)', (p) => {
    const keep = 1 / (1 - p);
    const fast = new Random(11);
    const slow = new Random(11);
    fast.next();
    slow.next();
    const mask = new Float32Array(100_003);
    fast.fillDropoutMask(mask, p, keep);
    const want = Float32Array.from({ length: mask.length }, () => (slow.next() < p ? 0 : keep));
    // The first differing element, if any (toEqual's diff of 100k floats takes seconds).
    expect(mask.findIndex((x, i) => x !== want[i])).toBe(-1);
    expect(fast.state).toBe(slow.state);
    // About p of them dropped.
    const dropped = mask.filter((x) => x === 0).length / mask.length;
    expect(Math.abs(dropped - p)).toBeLessThan(0.01);
  });

  it('drops nothing at p 0 and fills an empty mask without drawing', () => {
    const rng = new Random(3);
    const mask = new Float32Array(1000);
    rng.fillDropoutMask(mask, 0, 1);
    expect(mask.every((x) => x === 1)).toBe(true);
    const before = new Random(3);
    before.state = rng.state;
    rng.fillDropoutMask(new Float32Array(0), 0.5, 2);
    expect(rng.state).toBe(before.state);
  });
});
