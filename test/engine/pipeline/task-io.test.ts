import { describe, expect, it } from 'vitest';
import { delinearize, lineInput, parseTree, renderOutput, splitTurns, taskInput, TURN_SEPARATOR, type ParseOutput } from '../../../engine/index.ts';

describe('splitTurns', () => {
  it('splits a chat line into its turns, oldest first', () => {
    expect(splitTurns('hi ||| hello there ||| how are you?')).toEqual(['hi', 'hello there', 'how are you?']);
  });

  it('gives one empty turn for an empty line, and empty turns around bare separators', () => {
    expect(splitTurns('')).toEqual(['']);
    expect(splitTurns(TURN_SEPARATOR)).toEqual(['', '']);
    expect(splitTurns(' |||  ||| ')).toEqual(['', '', '']);
  });

  it('keeps a "|||" without the spaces around it as text', () => {
    expect(splitTurns('a|||b ||| c')).toEqual(['a|||b', 'c']);
    expect(splitTurns('||| a')).toEqual(['||| a']);
  });

  it('keeps unicode turns whole, combining marks and astral characters included', () => {
    const turns = ['Où est la gare ?', 'e\u0301te\u0301 🚂', '東京へ行きます'];
    expect(splitTurns(turns.join(TURN_SEPARATOR))).toEqual(turns);
  });

  it('splits a very long line into all its turns', () => {
    const turns = Array.from({ length: 20_000 }, (_, i) => `turn ${i}`);
    expect(splitTurns(turns.join(TURN_SEPARATOR))).toEqual(turns);
  });
});

describe('taskInput', () => {
  it('hands a chat model every turn, the message last, as a copy', () => {
    const turns = ['hi', 'hello', 'how are you?'];
    const input = taskInput('chat', turns);
    expect(input).toEqual(turns);
    expect(input).not.toBe(turns);
  });

  it('splits raw text into treebank words for a parser', () => {
    expect(taskInput('parse', ["We didn't expect (this) result."])).toBe('We did n\'t expect -LRB- this -RRB- result .');
  });

  it('gives a translate model its text unchanged, spacing and unicode included', () => {
    expect(taskInput('translate', ['  Où   est la gare ?  '])).toBe('  Où   est la gare ?  ');
  });

  it('gives empty text for no turns, and no words for blank parse text', () => {
    expect(taskInput('translate', [])).toBe('');
    expect(taskInput('parse', [])).toBe('');
    expect(taskInput('parse', [' \t\n '])).toBe('');
    expect(taskInput('chat', [])).toEqual([]);
  });

  it('shapes a very long parse text into every one of its words', () => {
    const text = Array.from({ length: 50_000 }, (_, i) => `w${i},`).join(' ');
    const words = (taskInput('parse', [text]) as string).split(' ');
    expect(words).toHaveLength(100_000);
    expect(words.slice(-2)).toEqual(['w49999', ',']);
  });
});

describe('lineInput', () => {
  it('reads a chat line as turns, and any other line as one text', () => {
    expect(lineInput('chat', 'hi ||| hello')).toEqual(['hi', 'hello']);
    expect(lineInput('translate', 'hi ||| hello')).toBe('hi ||| hello');
    expect(lineInput('parse', 'Hi, you.')).toBe('Hi , you .');
    expect(lineInput('reverse', '3 2 1')).toBe('3 2 1');
  });
});

describe('renderOutput', () => {
  it('gives text as it is', () => {
    expect(renderOutput('Where is the station?')).toEqual({ text: 'Where is the station?' });
    expect(renderOutput('')).toEqual({ text: '' });
  });

  it('prints a parse as its bracketed tree over the input words, saying whether it was repaired', () => {
    const { tree, repaired, repairs } = delinearize(['(S', '(NP', 'XX', ')NP', '(VP', 'XX', ')VP', ')S'], ['Où', 'vas-tu']);
    const output: ParseOutput = { tree, repaired, repairs, tokens: [] };
    expect(renderOutput(output)).toEqual({ text: '(ROOT (S (NP (XX Où)) (VP (XX vas-tu))))', repaired: false });
    expect(parseTree(renderOutput(output).text)).toEqual(tree);
  });

  it('marks a bracketing that had to be repaired', () => {
    const { tree, repaired, repairs } = delinearize(['(S', '(NP', 'XX'], ['a', 'b']);
    expect(repaired).toBe(true);
    expect(renderOutput({ tree, repaired, repairs, tokens: [] })).toMatchObject({ repaired: true });
  });
});
