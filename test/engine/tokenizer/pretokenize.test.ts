import { describe, expect, it } from 'vitest';
import { charClass, makeSegmenter } from '../../../engine/tokenizer/pretokenize.ts';

function segments(text: string, userDefined: string[] = []): string[] {
  const out: string[] = [];
  makeSegmenter(userDefined)(text, (s) => out.push(s));
  return out;
}

describe('makeSegmenter', () => {
  it('starts a segment at each whitespace character and keeps it as the prefix', () => {
    expect(segments('Hello, world  42x')).toEqual(['Hello', ',', ' world', ' ', ' 42', 'x']);
    expect(segments('\ttab  ')).toEqual(['\ttab', ' ', ' ']);
  });

  it('keeps combining marks and emoji joiners with what they follow', () => {
    expect(segments('cafe\u0301 na\u0308ive')).toEqual(['cafe\u0301', ' na\u0308ive']);
    expect(segments('👨‍👩‍👧!')).toEqual(['👨‍👩‍👧!']);
  });

  it('splits scripts apart but keeps Han, Hiragana and Katakana together', () => {
    expect(segments('我们去。OK')).toEqual(['我们去', '。', 'OK']);
    expect(segments('ひらがなカタカナ漢字ー')).toEqual(['ひらがなカタカナ漢字ー']);
    expect(segments('Москва Athens Αθήνα')).toEqual(['Москва', ' Athens', ' Αθήνα']);
  });

  it('cuts user-defined symbols out of the text', () => {
    expect(segments('a<sep>b <sep><sep>c', ['<sep>'])).toEqual(['a', 'b', ' ', 'c']);
    expect(segments('<s><sep>', ['<s>', '<sep>'])).toEqual([]);
  });

  it('emits nothing for an empty string', () => {
    expect(segments('')).toEqual([]);
  });
});

describe('charClass', () => {
  it('classifies by whitespace, number, script', () => {
    expect([' ', '\u3000', '7', '٣', 'a', 'é', 'Ж', '中', 'ア', '\u0301', '!', '😀'].map((c) => charClass(c.codePointAt(0)!)))
      .toEqual(['space', 'space', 'number', 'number', 'Latin', 'Latin', 'Cyrillic', 'cj', 'cj', 'inherited', 'common', 'common']);
  });
});
