import { describe, expect, it } from 'vitest';
import { drawDistractors, hitsAt1 } from '../../../engine/metrics/hits.ts';
import { mentions, usesContext } from '../../../engine/metrics/mentions.ts';
import { replyStats } from '../../../engine/metrics/replies.ts';

describe('replyStats', () => {
  it('counts distinct n-grams, the most repeated reply, empty replies and mean length on hand-made replies', () => {
    const stats = replyStats(["I'm not sure.", 'I like jazz', "I'm not sure.", '', "  I'm not sure. "]);
    expect(stats.replies).toBe(5);
    expect(stats.mostRepeated).toEqual({ reply: "I'm not sure.", count: 3 });
    expect(stats.emptyReplies).toBe(1);
    // Words: 3 + 3 + 3 + 0 + 3 = 12; unigrams "I'm" "not" "sure." "I" "like" "jazz" = 6 distinct.
    expect(stats.meanLength).toBeCloseTo(12 / 5, 12);
    expect(stats.distinct1).toBeCloseTo(6 / 12, 12);
    // Bigrams: 2 per non-empty reply = 8; distinct "I'm not", "not sure.", "I like", "like jazz" = 4.
    expect(stats.distinct2).toBeCloseTo(4 / 8, 12);
  });

  it('gives distinct 1 for all-different replies and refuses an empty list', () => {
    const stats = replyStats(['a b', 'c d', 'e f']);
    expect([stats.distinct1, stats.distinct2, stats.mostRepeated.count, stats.emptyReplies]).toEqual([1, 1, 1, 0]);
    expect(() => replyStats([])).toThrow(/no replies/);
  });

  it('splits words on any whitespace, so a newline in a reply does not glue two words', () => {
    expect(replyStats(['one\ntwo  three']).meanLength).toBe(3);
  });
});

describe('drawDistractors', () => {
  const pool = Array.from({ length: 40 }, (_, i) => `reply ${i % 30}`);

  it('draws the same distinct, foreign replies for the same seed', () => {
    const a = drawDistractors(pool, [0, 5, 39], 19, 1);
    expect(drawDistractors(pool, [0, 5, 39], 19, 1)).toEqual(a);
    expect(drawDistractors(pool, [0, 5, 39], 19, 2)).not.toEqual(a);
    a.forEach((picked, k) => {
      const own = pool[[0, 5, 39][k]!]!;
      expect(picked).toHaveLength(19);
      const texts = picked.map((j) => pool[j]!);
      expect(new Set(texts).size).toBe(19);
      expect(texts).not.toContain(own);
    });
  });

  it('refuses a pool with fewer distinct replies than candidates', () => {
    expect(() => drawDistractors(['a', 'b', 'a', 'c'], [0], 3, 1)).toThrow(/3 distinct replies/);
  });
});

describe('hitsAt1', () => {
  it('counts a hit only when the true reply scores strictly above every distractor', () => {
    expect(hitsAt1([-1, -5, -2], [[-2, -3], [-4, -6], [-2, -9]])).toBeCloseTo(1 / 3, 12);
    expect(hitsAt1([0], [[0]])).toBe(0);
    expect(() => hitsAt1([1, 2], [[0]])).toThrow(/2 true scores for 1/);
  });
});

describe('mentions and usesContext', () => {
  it('matches keywords at a word start, whole numbers only, case-insensitively and across scripts', () => {
    expect(mentions('Any ALLERGIES?', 'allerg')).toBe(true);
    expect(mentions('a metallergy', 'allerg')).toBe(false);
    expect(mentions('a table for 6.', '6')).toBe(true);
    expect(mentions('a table for 60', '6')).toBe(false);
    expect(mentions('room 16', '6')).toBe(false);
    expect(mentions("Dvořák's cello", 'dvořák')).toBe(true);
    expect(mentions('at 7 pm (19:00)', '19:00')).toBe(true);
  });

  it('needs a keyword and no avoided phrase', () => {
    const judge = { keywords: ['6', 'six'], avoid: ['4', 'four'] };
    expect(usesContext('Six people at 7.', judge)).toBe(true);
    expect(usesContext('Four people.', judge)).toBe(false);
    expect(usesContext("I'm not sure.", judge)).toBe(false);
  });
});
