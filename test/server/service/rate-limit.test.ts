import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../server/service/rate-limit.ts';

describe('RateLimiter', () => {
  it('allows a burst, refuses past it, and refills with time', () => {
    let now = 0;
    const limiter = new RateLimiter(60, 3, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    expect(limiter.take('b')).toBe(true);
    now += 1000;
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
  });
});
