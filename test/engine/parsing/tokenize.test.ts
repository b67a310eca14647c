import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ptbTokenize } from '../../../engine/parsing/tokenize.ts';
import { resolveCorporaDir } from '../../../corpora/paths.ts';

describe('ptbTokenize', () => {
  it('splits punctuation, clitics and brackets the way the treebank does', () => {
    expect(ptbTokenize("The cat didn't sit on the mat.")).toEqual(['The', 'cat', 'did', "n't", 'sit', 'on', 'the', 'mat', '.']);
    expect(ptbTokenize('"It\'s native-like," she said (twice)!')).toEqual(['"', 'It', "'s", 'native-like', ',', '"', 'she', 'said', '-LRB-', 'twice', '-RRB-', '!']);
    expect(ptbTokenize('We paid $5, i.e. 20% more... in the U.S. (Smith et al.)')).toEqual(['We', 'paid', '$', '5', ',', 'i.e.', '20', '%', 'more', '...', 'in', 'the', 'U.S.', '-LRB-', 'Smith', 'et', 'al.', '-RRB-']);
    expect(ptbTokenize('J. Smith won in 1999.')).toEqual(['J.', 'Smith', 'won', 'in', '1999', '.']);
    expect(ptbTokenize("They're here; we'll see: can't we?")).toEqual(['They', "'re", 'here', ';', 'we', "'ll", 'see', ':', 'ca', "n't", 'we', '?']);
  });

  it('keeps odd unicode and empty input sane', () => {
    expect(ptbTokenize('   ')).toEqual([]);
    expect(ptbTokenize('café — “quoted” ok')).toEqual(['café', '—', '“', 'quoted', '”', 'ok']);
    expect(ptbTokenize('?!')).toEqual(['?', '!']);
  });

  it('leaves GUM sentences, already tokenized, as they are', () => {
    const dir = path.join(resolveCorporaDir(), 'parsing/gum-const/permissive');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ptb')).slice(0, 8);
    let checked = 0;
    let same = 0;
    for (const f of files) {
      for (const tree of readFileSync(path.join(dir, f), 'utf8').split(/\n\s*\n/)) {
        const words = [...tree.matchAll(/\(([^\s()]+) ([^\s()]+)\)/g)].map((m) => m[2]!);
        if (words.length === 0) continue;
        checked++;
        if (JSON.stringify(ptbTokenize(words.join(' '))) === JSON.stringify(words)) same++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(same / checked).toBeGreaterThan(0.97);
  });
});
