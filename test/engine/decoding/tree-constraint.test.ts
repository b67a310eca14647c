import { describe, expect, it } from 'vitest';
import { decode } from '../../../engine/decoding/index.ts';
import { applyTreeConstraint } from '../../../engine/decoding/tree-constraint.ts';
import { delinearize } from '../../../engine/parsing/linearize.ts';
import { leaves } from '../../../engine/parsing/tree.ts';
import { randomNext, SPECIALS, TableModel } from './helpers/table-model.ts';

// Vocabulary: 0–3 specials, 4 "XX", 5 "(S", 6 ")S", 7 "(NP", 8 ")NP", 9 a non-tree piece, 10 "DT" and
// 11 "NN" (POS tags, the preterminals of a tagging parser).
const V = 12;
const PIECES = ['<pad>', '<unk>', '<s>', '</s>', 'XX', '(S', ')S', '(NP', ')NP', 'other', 'DT', 'NN'];
const tree = (words: number) => ({ words, preterminals: [4], open: [5, 7], close: [6, 8] });
const tagged = (words: number) => ({ words, preterminals: [10, 11], open: [5, 7], close: [6, 8] });

function allowedAfter(prefix: number[], words: number, constraint = tree): number[] {
  const row = new Float32Array(V).fill(-1);
  applyTreeConstraint(row, { tokens: Int32Array.from(prefix), start: 0, len: prefix.length }, constraint(words), SPECIALS.eos);
  return [...row.keys()].filter((i) => row[i] !== -Infinity);
}

describe('the well-formed-tree constraint', () => {
  it('allows only the pieces that keep a linearised tree well formed over the input words', () => {
    expect(allowedAfter([], 2)).toEqual([5, 7]); // open first
    expect(allowedAfter([5], 2)).toEqual([4, 5, 7]); // an empty bracket cannot close
    expect(allowedAfter([5, 7, 4], 2)).toEqual([4, 5, 7, 8]); // only the top label closes
    expect(allowedAfter([5, 7, 4, 4], 2)).toEqual([8]); // words used up: close
    expect(allowedAfter([5, 7, 4, 4, 8], 2)).toEqual([6]);
    expect(allowedAfter([5, 7, 4, 4, 8, 6], 2)).toEqual([SPECIALS.eos]); // done
  });

  it('counts every POS tag piece as one word, and allows any of them where a word may go', () => {
    expect(allowedAfter([5], 2, tagged)).toEqual([5, 7, 10, 11]);
    expect(allowedAfter([5, 7, 10], 2, tagged)).toEqual([5, 7, 8, 10, 11]);
    expect(allowedAfter([5, 7, 10, 11], 2, tagged)).toEqual([8]); // two tags: both words placed
    expect(allowedAfter([5, 7, 10, 11, 8, 6], 2, tagged)).toEqual([SPECIALS.eos]);
    // XX is not a preterminal of a tagging parser, nor a tag of an XX parser.
    expect(allowedAfter([5], 2, tagged)).not.toContain(4);
    expect(allowedAfter([5], 2)).not.toContain(10);
  });

  it('steers to a finish that fits in the length left', () => {
    const row = () => new Float32Array(V).fill(-1);
    const allowed = (prefix: number[], words: number, maxLength: number) => {
      const r = row();
      applyTreeConstraint(r, { tokens: Int32Array.from(prefix), start: 0, len: prefix.length }, tree(words), SPECIALS.eos, maxLength);
      return [...r.keys()].filter((i) => r[i] !== -Infinity);
    };
    // "(S (NP XX" with one word left and 6 tokens of room after this one: anything still fits.
    expect(allowed([5, 7, 4], 2, 10)).toEqual([4, 5, 7, 8]);
    // Room for exactly "XX )NP )S": no new bracket.
    expect(allowed([5, 7, 4], 2, 7)).toEqual([4, 8]);
    expect(allowed([5, 7, 4], 2, 6)).toEqual([4, 8]); // exactly room for it
    expect(allowed([5, 7, 4], 2, 5)).toEqual([4, 5, 7, 8]); // cannot finish at all: the tree's rules alone
  });

  it('keeps the log-probabilities of what it allows', () => {
    const row = Float32Array.from({ length: V }, (_, i) => -i);
    applyTreeConstraint(row, { tokens: Int32Array.from([5, 4]), start: 0, len: 2 }, tree(1), SPECIALS.eos);
    expect([...row]).toEqual([-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -6, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
  });

  it('makes a random model emit well-formed trees over exactly the input words, for every strategy', async () => {
    for (const options of [{ strategy: 'greedy' }, { beamSize: 4, nBest: 4 }, { strategy: 'sample', seed: 3, nBest: 6, temperature: 3 }]) {
      for (const words of [1, 3, 6]) {
        const model = new TableModel({ vocabSize: V, next: randomNext(V, words) });
        const [r] = await decode(model, [{ source: [9, 9], options: { ...options, maxLength: 80, treeConstraint: tree(words) } }]);
        for (const h of r!.nBest ?? [r!]) {
          const pieces = h.tokens.map((t) => PIECES[t]!);
          const out = delinearize(pieces, Array.from({ length: words }, (_, i) => `w${i}`));
          expect(out.repaired, pieces.join(' ')).toBe(false);
        }
      }
    }
  });

  it('makes a random model write a tagged tree with one tag per word, the tags as the tree\'s preterminals', async () => {
    for (const options of [{ strategy: 'greedy' }, { beamSize: 4, nBest: 4 }]) {
      for (const words of [1, 4, 7]) {
        const model = new TableModel({ vocabSize: V, next: randomNext(V, words) });
        const [r] = await decode(model, [{ source: [9, 9], options: { ...options, maxLength: 80, treeConstraint: tagged(words) } }]);
        for (const h of r!.nBest ?? [r!]) {
          const pieces = h.tokens.map((t) => PIECES[t]!);
          const out = delinearize(pieces, Array.from({ length: words }, (_, i) => `w${i}`));
          expect(out.repaired, pieces.join(' ')).toBe(false);
          expect(leaves(out.tree).map((l) => l.tag)).toEqual(pieces.filter((p) => p === 'DT' || p === 'NN'));
        }
      }
    }
  });

  it('is refused when it names ids outside the vocabulary, no preterminal, or pairs labels unevenly', async () => {
    const model = new TableModel({ vocabSize: V, next: randomNext(V, 1) });
    await expect(decode(model, [{ source: [9], options: { treeConstraint: { words: 1, preterminals: [40], open: [5], close: [6] } } }])).rejects.toThrow(/treeConstraint: token id outside the vocabulary/);
    await expect(decode(model, [{ source: [9], options: { treeConstraint: { words: 1, preterminals: [], open: [5], close: [6] } } }])).rejects.toThrow(/treeConstraint\.preterminals/);
    await expect(decode(model, [{ source: [9], options: { treeConstraint: { words: 1, preterminals: [4], open: [5, 7], close: [6] } } }])).rejects.toThrow(/one id per label/);
  });
});
