import { describe, expect, it } from 'vitest';
import { decode, type DecodeRequest } from '../../../engine/decoding/index.ts';
import { withoutTiming } from './helpers/strip.ts';
import { randomNext, TableModel } from './helpers/table-model.ts';

const V = 9;
const conditional = randomNext(V, 71, 0.8);
const lm = randomNext(V, 72, 1);

function attention(src: number[], prefix: number[]): number[] {
  const w = src.map((t, i) => 1 + ((t * 3 + i + prefix.length * 7 + (prefix.at(-1) ?? 0)) % 5));
  const z = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / z);
}

export const makeModel = () => new TableModel({ vocabSize: V, next: (s, p) => (s === null ? lm(null, p) : conditional(s, p)), attention, unconditional: true });

export const mixedRequests: DecodeRequest[] = [
  { source: [4, 5, 6], options: { strategy: 'greedy', maxLength: 7 } },
  { source: [7, 3], options: { beamSize: 3, nBest: 3, maxLength: 6, returnAttention: true } },
  { source: [8, 8, 4, 5, 6, 7], options: { strategy: 'sample', seed: 42, nBest: 2, topK: 5, temperature: 1.3, maxLength: 8 } },
  { source: [5], options: { strategy: 'diverse-beam', beamSize: 4, beamGroups: 2, nBest: 4, maxLengthRatio: 4 } },
  { source: [6, 4], options: { beamSize: 4, mmiAntiLm: { lambda: 0.4, gamma: 2 }, coveragePenalty: 0.5, lengthPenalty: { kind: 'gnmt', alpha: 0.8 } } },
  { source: [4, 4, 4, 4], options: { strategy: 'sample', seed: 7, topP: 0.8, noRepeatNgram: 2, blockSourceNgrams: 1, maxLength: 9 } },
];

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
