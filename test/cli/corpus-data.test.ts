import { describe, expect, it } from 'vitest';
import { IssueLog } from '../../corpora/index.ts';
import { leaves, words } from '../../engine/parsing/tree.ts';
import { loadTaskPairs } from '../../cli/corpus-data.ts';

describe('loadTaskPairs', () => {
  it('gives parse pairs the treebank tree (real POS tags) as the evaluation reference', async () => {
    const pairs = await loadTaskPairs({ task: 'parse', corpora: ['gum'], split: 'test', contextTurns: 0, seed: 1, log: new IssueLog(), maxExamples: 5 });
    expect(pairs.length).toBeGreaterThan(0);
    for (const p of pairs) {
      expect(words(p.gold!).join(' ')).toBe(p.input);
      expect(leaves(p.gold!).some((l) => l.tag !== 'XX')).toBe(true);
    }
  });
});
