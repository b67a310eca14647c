// What a parser is reported on (issue 14): evalb's labelled-bracket F1 over the sentences, the share of
// sentences parsed exactly, F1 over the sentences of 5–18 words (the short sentences Vinyals et al. 2014
// single out), and for a tagging parser the share of words whose predicted preterminal is the gold tag.
import { leaves, type Tree } from '../parsing/tree.ts';
import { evalb } from './evalb.ts';

/** The length band reported on its own: words of the sentence, punctuation included, as evalb counts length. */
export const SHORT_SENTENCE_WORDS = { min: 5, max: 18 } as const;

export interface ParseReport {
  f1: number;
  precision: number;
  recall: number;
  /** Share of sentences whose labelled brackets equal the gold ones (evalb's exact match; tags aside). */
  exactMatch: number;
  /** Bracket scores over the sentences of 5–18 words only; f1 null when there is none. */
  words5to18: { sentences: number; f1: number | null };
  /** Share of words tagged as in the gold tree; only when the parser writes tags. */
  tagAccuracy?: number;
}

/** Scores test trees against gold trees over the same words; `tagged` when the test trees carry predicted tags. */
export function parseReport(golds: readonly Tree[], tests: readonly Tree[], tagged: boolean): ParseReport {
  const all = evalb(golds, tests);
  const inBand = golds.flatMap((g, i) => {
    const n = leaves(g).length;
    return n >= SHORT_SENTENCE_WORDS.min && n <= SHORT_SENTENCE_WORDS.max ? [i] : [];
  });
  const band = evalb(inBand.map((i) => golds[i]!), inBand.map((i) => tests[i]!));
  const report: ParseReport = {
    f1: all.f1,
    precision: all.precision,
    recall: all.recall,
    exactMatch: all.sentences === 0 ? 0 : all.exactMatches / all.sentences,
    words5to18: { sentences: inBand.length, f1: inBand.length === 0 ? null : band.f1 },
  };
  if (tagged) report.tagAccuracy = tagAccuracy(golds, tests);
  return report;
}

/** Words whose test tag equals the gold tag, over all words (evalb checks the trees share their words). */
export function tagAccuracy(golds: readonly Tree[], tests: readonly Tree[]): number {
  let words = 0;
  let right = 0;
  golds.forEach((g, i) => {
    const test = leaves(tests[i]!);
    leaves(g).forEach((leaf, k) => {
      words++;
      if (test[k]?.tag === leaf.tag) right++;
    });
  });
  return words === 0 ? 0 : right / words;
}
