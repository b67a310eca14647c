// Labeled-bracket precision, recall and F1 in the manner of evalb (Sekine & Collins 1997) with its
// COLLINS.prm: preterminals are not brackets; ROOT/TOP/-NONE- brackets are dropped; words tagged
// , : `` '' . in the gold tree are removed from both trees before spans are taken; labels are compared
// without function tags (NP-SBJ = NP) and ADVP = PRT; brackets are matched as a multiset.
import { baseLabel, leaves, type Tree } from '../parsing/tree.ts';

const DELETED_LABELS = new Set(['ROOT', 'TOP', '-NONE-', '']);
const PUNCTUATION_TAGS = new Set([',', ':', '``', "''", '.']);
const EQUIVALENT: Record<string, string> = { PRT: 'ADVP' };

export interface BracketScore {
  precision: number;
  recall: number;
  f1: number;
  matched: number;
  goldBrackets: number;
  testBrackets: number;
  sentences: number;
  /** Sentences whose bracket multisets are identical. */
  exactMatches: number;
}

/** Bracket keys "LABEL start end" over word positions that survive punctuation deletion. */
function brackets(tree: Tree, kept: readonly boolean[]): string[] {
  const out: string[] = [];
  let index = 0; // position among all words
  let position = 0; // position among kept words
  const walk = (t: Tree): void => {
    if (t.kind === 'leaf') {
      if (kept[index++]) position++;
      return;
    }
    const start = position;
    t.children.forEach(walk);
    const label = baseLabel(t.label);
    if (DELETED_LABELS.has(label) || position === start) return;
    out.push(`${EQUIVALENT[label] ?? label} ${start} ${position}`);
  };
  walk(tree);
  return out;
}

/** Counts for one sentence; both trees must have the same words. */
export function sentenceBrackets(gold: Tree, test: Tree): { matched: number; gold: number; test: number } {
  const goldLeaves = leaves(gold);
  const testLeaves = leaves(test);
  if (goldLeaves.length !== testLeaves.length) {
    throw new Error(`evalb: sentence length differs (gold ${goldLeaves.length} words, test ${testLeaves.length})`);
  }
  goldLeaves.forEach((l, i) => {
    if (l.word !== testLeaves[i]!.word) throw new Error(`evalb: word ${i} differs (gold "${l.word}", test "${testLeaves[i]!.word}")`);
  });
  // Deletion follows the gold tags, so a test tree with XX tags is scored on the same words.
  const kept = goldLeaves.map((l) => !PUNCTUATION_TAGS.has(l.tag));
  const goldSet = brackets(gold, kept);
  const testSet = brackets(test, kept);
  const pool = new Map<string, number>();
  for (const b of goldSet) pool.set(b, (pool.get(b) ?? 0) + 1);
  let matched = 0;
  for (const b of testSet) {
    const left = pool.get(b) ?? 0;
    if (left > 0) {
      matched++;
      pool.set(b, left - 1);
    }
  }
  return { matched, gold: goldSet.length, test: testSet.length };
}

/** Corpus-level scores: counts summed over sentences, then P = matched/test, R = matched/gold. */
export function evalb(golds: readonly Tree[], tests: readonly Tree[]): BracketScore {
  if (golds.length !== tests.length) throw new Error(`evalb: ${golds.length} gold trees but ${tests.length} test trees`);
  let matched = 0;
  let goldBrackets = 0;
  let testBrackets = 0;
  let exactMatches = 0;
  golds.forEach((g, i) => {
    const s = sentenceBrackets(g, tests[i]!);
    matched += s.matched;
    goldBrackets += s.gold;
    testBrackets += s.test;
    if (s.matched === s.gold && s.matched === s.test) exactMatches++;
  });
  const precision = testBrackets === 0 ? 0 : matched / testBrackets;
  const recall = goldBrackets === 0 ? 0 : matched / goldBrackets;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, matched, goldBrackets, testBrackets, sentences: golds.length, exactMatches };
}
