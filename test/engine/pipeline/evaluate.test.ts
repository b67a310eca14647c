import { describe, expect, it } from 'vitest';
import { evalb } from '../../../engine/metrics/evalb.ts';
import { linearize } from '../../../engine/parsing/linearize.ts';
import { parseTree } from '../../../engine/parsing/tree.ts';
import { goldTree, spread } from '../../../engine/pipeline/evaluate.ts';

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
