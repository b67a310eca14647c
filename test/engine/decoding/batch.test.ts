import { describe, expect, it } from 'vitest';
import { decode } from '../../../engine/decoding/index.ts';
import { makeModel, mixedRequests } from './helpers/mixed.ts';
import { withoutTiming } from './helpers/strip.ts';

describe('batched decoding', () => {
  it('gives the same results as decoding one by one, each request with its own options', async () => {
    const batched = makeModel();
    const together = await decode(batched, mixedRequests);
    const alone = [];
    for (const request of mixedRequests) {
      const model = makeModel();
      alone.push(...(await decode(model, [request])));
      expect(model.live.size).toBe(0);
    }
    expect(together.map(withoutTiming)).toEqual(alone.map(withoutTiming));
    expect(batched.live.size).toBe(0);
    // All requests shared the first step: one row each (beams start from one), two for the 2-sample request.
    expect(batched.stepRows[0]).toBe(mixedRequests.length + 1);
  });

  it('reports timing and detokenized text', async () => {
    const [r] = await decode(makeModel(), [mixedRequests[1]!], { detokenize: (ids) => ids.map((t) => `w${t}`).join(' ') });
    expect(r!.text).toBe(r!.tokens.map((t) => `w${t}`).join(' '));
    expect(r!.nBest!.every((h) => h.text === h.tokens.map((t) => `w${t}`).join(' '))).toBe(true);
    expect(r!.timing.steps).toBeGreaterThan(0);
    expect(r!.timing.totalMs).toBeGreaterThanOrEqual(r!.timing.decodeMs);
  });

  it('fails only the request whose options are invalid, after the others end', async () => {
    const model = makeModel();
    await expect(decode(model, [mixedRequests[0]!, { source: [4], options: { beamSize: 0 } }])).rejects.toThrow(/^beamSize:/);
    expect(model.live.size).toBe(0);
  });
});
