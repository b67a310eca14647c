import { describe, expect, it } from 'vitest';
import { decode } from '../../../engine/decoding/index.ts';
import { logNormalise, randomNext, SPECIALS, TableModel } from './helpers/table-model.ts';

const V = 8;

/** A model that loves repeating "4 5": it puts most mass on the token after the last one in a cycle. */
const loopy = () =>
  new TableModel({
    vocabSize: V,
    next: (_s, p) => {
      const last = p.at(-1) ?? 5;
      const w = [0, 0, 0.001, 0.01, 0.01, 0.01, 0.02, 0.03];
      w[last === 4 ? 5 : 4] = 0.9;
      return logNormalise(w);
    },
  });

function ngrams(tokens: number[], n: number): string[] {
  return tokens.slice(0, tokens.length - n + 1).map((_, i) => tokens.slice(i, i + n).join(' '));
}

describe('blocking', () => {
  it('without blocking the loopy model repeats itself', async () => {
    const [r] = await decode(loopy(), [{ source: [3], options: { strategy: 'greedy', maxLength: 8 } }]);
    expect(r!.tokens).toEqual([4, 5, 4, 5, 4, 5, 4, 5]);
  });

  it('never repeats an n-gram of the blocked size, for every strategy', async () => {
    for (const n of [1, 2, 3]) {
      for (const options of [{ strategy: 'greedy' }, { beamSize: 3, nBest: 3 }, { strategy: 'sample', seed: 9, nBest: 3 }]) {
        const [r] = await decode(loopy(), [{ source: [3], options: { ...options, maxLength: 8, noRepeatNgram: n } }]);
        for (const h of r!.nBest ?? [r!]) {
          const grams = ngrams(h.tokens, n);
          expect(new Set(grams).size).toBe(grams.length);
        }
      }
    }
  });

  it('blocks n-grams of the source and of the request context', async () => {
    const [plain] = await decode(loopy(), [{ source: [3], options: { strategy: 'greedy', maxLength: 6 } }]);
    expect(ngrams(plain!.tokens, 2)).toContain('4 5');
    const [src] = await decode(loopy(), [{ source: [6, 4, 5, 7], options: { strategy: 'greedy', maxLength: 6, blockSourceNgrams: 2 } }]);
    expect(ngrams(src!.tokens, 2)).not.toContain('4 5');
    const [ctx] = await decode(loopy(), [{ source: [3], context: [[7, 5, 4]], options: { strategy: 'greedy', maxLength: 6, blockSourceNgrams: 2 } }]);
    expect(ngrams(ctx!.tokens, 2)).not.toContain('5 4');
  });

  it('suppresses <unk> when asked', async () => {
    const unkLover = new TableModel({ vocabSize: V, next: () => logNormalise([0, 0, 0.05, 0.6, 0.1, 0.1, 0.1, 0.05]) });
    const [plain] = await decode(unkLover, [{ source: [4], options: { strategy: 'greedy', maxLength: 3 } }]);
    expect(plain!.tokens).toContain(SPECIALS.unk);
    const [r] = await decode(unkLover, [{ source: [4], options: { beamSize: 3, nBest: 3, maxLength: 3, suppressUnk: true } }]);
    for (const h of r!.nBest!) expect(h.tokens).not.toContain(SPECIALS.unk);
  });

  it('never produces a blocklisted token sequence', async () => {
    const [r] = await decode(loopy(), [{ source: [3], options: { beamSize: 4, nBest: 4, maxLength: 8, blocklist: [[5, 4], [7]] } }]);
    for (const h of r!.nBest!) {
      expect(ngrams(h.tokens, 2)).not.toContain('5 4');
      expect(h.tokens).not.toContain(7);
    }
  });

  it('never emits pad or bos', async () => {
    const model = new TableModel({ vocabSize: V, next: randomNext(V, 2) });
    const [r] = await decode(model, [{ source: [4], options: { strategy: 'sample', seed: 1, nBest: 8, temperature: 5, maxLength: 10 } }]);
    for (const h of r!.nBest!) expect(h.tokens.filter((t) => t === SPECIALS.pad || t === SPECIALS.bos)).toEqual([]);
  });
});
