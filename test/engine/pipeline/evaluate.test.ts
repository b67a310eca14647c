import { describe, expect, it } from 'vitest';
import { evalb } from '../../../engine/metrics/evalb.ts';
import { linearize } from '../../../engine/parsing/linearize.ts';
import { parseTree } from '../../../engine/parsing/tree.ts';
import { corpusBleu } from '../../../engine/metrics/bleu.ts';
import { goldTree, heldOutSample, SCORED_PER_DECODED, spread } from '../../../engine/pipeline/evaluate.ts';

describe('parse evaluation references', () => {
  const treebank = parseTree('(ROOT (S (NP (DT the) (NN dog)) (VP (VBZ barks)) (. .)))');
  const pair = { input: 'the dog barks .', target: linearize(treebank).join(' ') };
  // The period attached outside S: evalb ignores punctuation, so this is a perfect parse.
  const test = parseTree('(ROOT (S (NP (XX the) (XX dog)) (VP (XX barks))) (XX .))');

  it('scores against the treebank tree, so evalb deletes punctuation by its gold POS tag', () => {
    expect(goldTree({ ...pair, gold: treebank })).toBe(treebank);
    expect(evalb([goldTree({ ...pair, gold: treebank })], [test]).f1).toBe(1);
  });

  it('falls back to the tree rebuilt from the target, whose XX tags hide the punctuation', () => {
    expect(evalb([goldTree(pair)], [test]).f1).toBeLessThan(1);
  });
});

describe('spread', () => {
  it('takes items evenly from the whole list, in order, not the first n', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(spread(items, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(spread(items, 3)).toEqual([0, 3, 6]);
    expect(spread(items, 20)).toEqual(items);
  });
});

describe('heldOutSample', () => {
  // A split sorted short to long, as Tatoeba's is: 200 sentences of each length from 1 to 10 words.
  const split = Array.from({ length: 2000 }, (_, i) => Array.from({ length: 1 + Math.floor(i / 200) }, (_, w) => `w${w}`));
  const perfectBleu = (refs: string[][]) => corpusBleu(refs, refs).bleu;

  it('validates on pairs from the whole split: the first 200 give even a perfect translator no 4-gram to match', () => {
    // What validation decoded before (issue 14): the first pairs, here all one word long.
    expect(perfectBleu(split.slice(0, 200))).toBeLessThan(1e-70);
    const scored = heldOutSample(split, 200);
    expect(scored).toHaveLength(200 * SCORED_PER_DECODED);
    const decoded = spread(scored, 200); // as scoreDecoding picks the pairs it decodes
    // Not 1: NLTK counts a sentence shorter than n as one unmatched n-gram, which the 1-3 word ones are.
    expect(perfectBleu(decoded)).toBeGreaterThan(0.95);
    expect(new Set(decoded.map((s) => s.length))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  });

  it('takes the whole split when it is smaller than the sample', () => {
    expect(heldOutSample(split.slice(0, 30), 10)).toEqual(split.slice(0, 30));
  });
});
