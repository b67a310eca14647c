import { describe, expect, it } from 'vitest';
import { parseYamlSubset, YamlSubsetError } from '../../corpora/yaml-subset.ts';

describe('ChatterBot YAML subset', () => {
  it('reads nested sequences of plain, quoted and block scalars as strings', () => {
    const doc = parseYamlSubset(
      [
        'categories:',
        '- greetings',
        'conversations:',
        '- - Hello: there?',
        "  - 'It''s 1984 '",
        '- - "tab\\there \\u00e9"',
        '  - yes',
        '  - |',
        '    line one',
        '',
        '      indented',
        '- - a plain',
        '    continued line # comment',
        '  - >-',
        '    folded',
        '    text',
      ].join('\r\n'),
    );
    expect(doc).toEqual({
      categories: ['greetings'],
      conversations: [
        ['Hello: there?', "It's 1984 "],
        ['tab\there é', 'yes', 'line one\n\n  indented\n'],
        ['a plain continued line', 'folded text'],
      ],
    });
  });

  it('folds a missing inner dash into one string, as YAML does', () => {
    const doc = parseYamlSubset("conversations:\n- Which number?\n  - '22'\n- - a\n  - b\n") as { conversations: unknown[] };
    expect(doc.conversations).toEqual(["Which number? - '22'", ['a', 'b']]);
  });

  it('reports constructs outside the subset with their line', () => {
    expect(() => parseYamlSubset('conversations:\n- - &anchor hi\n')).toThrow(YamlSubsetError);
    expect(() => parseYamlSubset('conversations:\n- - "never closed\n')).toThrow(/line 2: unterminated/);
    expect(() => parseYamlSubset('  indented: key\n')).toThrow(/line 1/);
  });
});
