// Axis ticks of the models page's charts, in node.
import { describe, expect, it } from 'vitest';
import { ticks } from '../../web/chart.ts';

describe('ticks', () => {
  it('picks round steps covering the range', () => {
    expect(ticks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(ticks(100, 1000, 5)).toEqual([200, 400, 600, 800, 1000]);
    expect(ticks(3.8, 20.7, 4)).toEqual([5, 10, 15, 20]);
  });

  it('handles a metric stuck near zero, as the shipped translate model’s early BLEU (1e-78) is', () => {
    const t = ticks(5.738486160739581e-79, 4.307400739579539e-78, 4);
    expect(t).toEqual([1e-78, 2e-78, 3e-78, 4e-78]);
  });

  it('gives one tick for a flat or empty range and none for a range that is not a number', () => {
    expect(ticks(7, 7, 4)).toEqual([7]);
    expect(ticks(Number.NaN, 1, 4)).toEqual([]);
    expect(ticks(0, Number.POSITIVE_INFINITY, 4)).toEqual([]);
  });
});
