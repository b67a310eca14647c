import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IssueLog } from '../../../corpora/errors.ts';
import { CORPORA } from '../../../corpora/manifest.ts';
import { resolveCorporaDir } from '../../../corpora/paths.ts';
import { readPtb } from '../../../corpora/readers/ptb.ts';
import type { ParseExample } from '../../../corpora/types.ts';
import { evalb } from '../../../engine/metrics/evalb.ts';
import { delinearize, linearize } from '../../../engine/parsing/linearize.ts';
import { printTree, replaceTags, stripFunctionLabels } from '../../../engine/parsing/tree.ts';

describe('linearize → delinearize on every GUM tree', () => {
  let examples: ParseExample[] = [];
  beforeAll(async () => {
    const dir = resolveCorporaDir();
    const log = new IssueLog();
    for await (const e of readPtb(CORPORA.gum.dataFiles.map((f) => join(dir, f)), log)) examples.push(e);
    expect(log.count).toBe(0);
  });

  it('reads all 4,636 trees', () => {
    expect(examples.length).toBe(4636);
  });

  it('gives back the exact tree, function labels and tags included, when nothing is stripped', () => {
    for (const { tree, words } of examples) {
      const back = delinearize(linearize(tree, { tags: 'keep', stripFunctionLabels: false }), words);
      expect(back.repaired).toBe(false);
      expect(printTree(back.tree)).toBe(printTree(tree));
    }
  });

  it("gives back the paper's normalised tree (XX tags, no function labels) and scores F1 = 1", () => {
    const rebuilt = examples.map(({ tree, words }) => {
      const back = delinearize(linearize(tree), words);
      expect(back.repaired).toBe(false);
      expect(printTree(back.tree)).toBe(printTree(replaceTags(stripFunctionLabels(tree), 'XX')));
      return back.tree;
    });
    const score = evalb(
      examples.map((e) => e.tree),
      rebuilt,
    );
    expect(score.f1).toBe(1);
    expect(score.exactMatches).toBe(examples.length);
  });
});
