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

  it('linearises parse targets with the treebank tags as preterminals under posTags, with XX otherwise', async () => {
    const base = { task: 'parse', corpora: ['gum'], split: 'test', contextTurns: 0, seed: 1, maxExamples: 5 } as const;
    const tagged = await loadTaskPairs({ ...base, log: new IssueLog(), posTags: true });
    const plain = await loadTaskPairs({ ...base, log: new IssueLog() });
    tagged.forEach((p, i) => {
      const preterminals = p.target.split(' ').filter((t) => !/^[()]/.test(t));
      expect(preterminals).toEqual(leaves(p.gold!).map((l) => l.tag));
      // The same brackets, with XX in place of each tag.
      expect(p.target.split(' ').map((t) => (/^[()]/.test(t) ? t : 'XX')).join(' ')).toBe(plain[i]!.target);
    });
  });
});
