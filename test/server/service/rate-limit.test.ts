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

  it('charges a request of n texts n tokens, and takes none when it cannot pay them all', () => {
    let now = 0;
    const limiter = new RateLimiter(60, 10, () => now);
    expect(limiter.take('a', 8)).toBe(true);
    expect(limiter.take('a', 3)).toBe(false);
    expect(limiter.take('a', 2)).toBe(true);
    expect(limiter.take('a')).toBe(false);
    now += 3000;
    expect(limiter.take('a', 3)).toBe(true);
  });
});
