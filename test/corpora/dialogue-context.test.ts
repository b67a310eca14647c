import { describe, expect, it } from 'vitest';
import { contentWords, replyDrawsOnContext } from '../../corpora/dialogue.ts';

describe('contentWords', () => {
  it('keeps words of four letters or more outside the function words, and numbers of any length', () => {
    expect(contentWords("Please book a table for 4 at Olive Garden's, it's really 7:30!")).toEqual(['book', 'table', '4', 'olive', 'garden', '7', '30']);
    expect(contentWords('Yeah, I think that would be good.')).toEqual([]);
  });

  it('reads letters of any script with their marks, composed and decomposed alike', () => {
    expect(contentWords('Dvořák')).toEqual(contentWords('Dvor\u030Ca\u0301k'));
    expect(contentWords('Dvořák et Москва')).toEqual(['dvořák', 'москва']);
    expect(contentWords('नमस्ते दोस्त')).toEqual(['नमस्ते', 'दोस्त']); // the virama and vowel signs are marks
    expect(contentWords('İstanbul')).toEqual(['i̇stanbul']);
  });

  it('takes both apostrophes as part of a word and drops contractions with the function words', () => {
    expect(contentWords('I didn’t, it wasn\'t Maria’s')).toEqual(['maria']);
  });
});

describe('replyDrawsOnContext', () => {
  const context = ['I need a table for six people.', 'Which restaurant?'];

  it('holds when the reply reuses an earlier turn\'s content word that the message lacks', () => {
    expect(replyDrawsOnContext(['Book me a table for 6.', 'Where?'], 'Olive Garden.', 'Booked: 6 people at Olive Garden.')).toBe(true);
    expect(replyDrawsOnContext(context, 'The Ivy, please.', 'A table for six at The Ivy: done.')).toBe(true);
  });

  it('does not hold for a word the message itself has, a function word, or a pair without context', () => {
    expect(replyDrawsOnContext(context, 'The table at The Ivy.', 'The Ivy table it is.')).toBe(false);
    expect(replyDrawsOnContext(['Which would you like?'], 'Surprise me.', 'Which would be fun.')).toBe(false);
    expect(replyDrawsOnContext([], 'A table for six.', 'Six it is.')).toBe(false);
  });
});
