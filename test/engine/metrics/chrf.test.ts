import { describe, expect, it } from 'vitest';
import { corpusChrf, type ChrfOptions } from '../../../engine/metrics/chrf.ts';

/**
 * sacreBLEU 2.6.0's own scores: CHRF(char_order, word_order=0, beta, eps_smoothing).corpus_score(hyps, [refs]).score
 * (defaults char_order 6, beta 2, no eps smoothing: what `sacrebleu -m chrf` prints); equal to the last bit.
 * The hypotheses are written with \u escapes so the odd whitespace and astral code points stay visible.
 */
const SACREBLEU: [string, string[], string[], ChrfOptions, number][] = [
  ["one identical sentence", ["Le chat dort."], ["Le chat dort."], {}, 100.0],
  ["word order and a missing accent", ["Ma soeur habite \u00e0 Montr\u00e9al."], ["Ma sœur habite à Montréal."], {}, 83.16777879637385],
  ["a corpus of three, one empty output", ["Der Hund schl\u00e4ft.", "", "Wir haben uns verirrt, weil die Karte falsch war."], ["Der Hund schläft im Garten.", "Ich brauche sechs Eier.", "Wir haben uns verlaufen, weil die Karte auf meinem Handy falsch war."], {}, 48.75435752598539],
  ["whitespace of every kind removed", ["Il\u00a0est\u202fparti ?\t\n"], ["Il est parti ?"], {}, 100.0],
  ["astral code points count once", ["I \u{1F600} you"], ["I 😊 you"], {}, 32.666666666666664],
  ["short hypothesis: orders above its length absent", ["ok"], ["okay then"], {}, 23.404255319148938],
  ["nothing in common", ["abcdefg"], ["hijklmnop"], {}, 0.0],
  ["every output empty", ["", ""], ["Bonjour.", "Merci."], {}, 0.0],
  ["beta 3, epsilon smoothing (sacreBLEU's own test)", [" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "], ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."], { beta: 3, smoothing: 'epsilon' }, 64.13022155933443],
  ["epsilon smoothing, beta 2", ["Lapali po dechu, jejich \u017eivoty skon\u010dily d\u0159\u00edv, ne\u017e skute\u010dn\u011b za\u010daly."], ["Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli."], { smoothing: 'epsilon' }, 57.15704366556671],
  ["char order 3, beta 1", ["the cat sat on the mat", "a dog"], ["the cat is on the mat", "the dog"], { charOrder: 3, beta: 1 }, 72.79132018975073],
];

describe('corpusChrf', () => {
  it.each(SACREBLEU)('equals sacreBLEU: %s', (_, hyps, refs, options, score) => {
    expect(corpusChrf(hyps, refs, options).chrf * 100).toBe(score);
  });

  it('averages precision and recall over the orders both sides reach, then weighs recall 4:1 (β = 2)', () => {
    // "ok" vs "okay then" (whitespace removed: "okaythen"): unigrams o,k all match (P 2/2, R 2/8), the
    // bigram "ok" matches (P 1/1, R 1/7); the hypothesis has no 3..6-grams, so those orders drop out.
    const r = corpusChrf(['ok'], ['okay then']);
    const p = 1;
    const rec = (2 / 8 + 1 / 7) / 2;
    expect(r.chrf).toBeCloseTo((5 * p * rec) / (4 * p + rec), 15);
    expect(r.precisions).toEqual([1, 1, 0, 0, 0, 0]);
    expect(r.recalls.slice(0, 2)).toEqual([2 / 8, 1 / 7]);
  });

  it('pools counts over the corpus rather than averaging sentence scores', () => {
    const pooled = corpusChrf(['a', 'b'], ['a', 'c'], { charOrder: 1 });
    expect(pooled.chrf).toBeCloseTo(0.5, 15);
    expect(corpusChrf(['abc', 'x'], ['abc', 'y']).chrf).not.toBeCloseTo((corpusChrf(['abc'], ['abc']).chrf + corpusChrf(['x'], ['y']).chrf) / 2, 3);
  });

  it('refuses mismatched corpus sizes and options it does not implement', () => {
    expect(() => corpusChrf(['a'], [])).toThrow(/1 hypotheses but 0 references/);
    expect(() => corpusChrf(['a'], ['a'], { charOrder: 0 })).toThrow(/charOrder must be a positive integer/);
    expect(() => corpusChrf(['a'], ['a'], { beta: -1 })).toThrow(/beta must be a positive number/);
    expect(() => corpusChrf(['a'], ['a'], { smoothing: 'floor' as 'epsilon' })).toThrow(/smoothing must be effective-order or epsilon/);
  });
});
