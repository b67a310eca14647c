import { describe, expect, it } from 'vitest';
import { distinct12, distinctN } from '../../../engine/metrics/distinct.ts';
import { perplexity, PerplexityMeter } from '../../../engine/metrics/perplexity.ts';

describe('distinct-n', () => {
  it('divides distinct n-grams by all n-grams over every response', () => {
    const responses = [['i', 'do', 'not', 'know'], ['i', 'do', 'not', 'know'], ['yes', 'i', 'do']];
    // unigrams: 11 total, distinct {i, do, not, know, yes} = 5; bigrams: 8 total, distinct {i do, do not, not know, yes i} = 4.
    expect(distinct12(responses)).toEqual({ distinct1: 5 / 11, distinct2: 4 / 8 });
  });

  it('is 0 with no n-grams and refuses a bad order', () => {
    expect(distinctN([['one']], 2)).toBe(0);
    expect(() => distinctN([], 0)).toThrow(/positive integer/);
  });
});

describe('perplexity', () => {
  it('is exp of the mean token NLL', () => {
    expect(perplexity(10 * Math.log(7), 10)).toBeCloseTo(7, 12);
    const meter = new PerplexityMeter();
    meter.add(3 * Math.log(4), 3);
    meter.add(Math.log(4), 1);
    expect(meter.value()).toBeCloseTo(4, 12);
    expect(meter.tokenCount).toBe(4);
  });

  it('refuses an empty count or a non-finite loss', () => {
    expect(() => perplexity(1, 0)).toThrow(/token count/);
    expect(() => perplexity(NaN, 3)).toThrow(/finite/);
  });
});
