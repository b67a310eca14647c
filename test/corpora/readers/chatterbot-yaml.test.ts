// The ChatterBot reader on hand-made YAML: scalar styles, strings kept as text, unicode, bad items
// reported with their line and malformed files with the line of the first YAML error.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusError, IssueLog } from '../../../corpora/errors.ts';
import { readChatterbot } from '../../../corpora/readers/chatterbot.ts';
import type { Conversation } from '../../../corpora/types.ts';
import { tempDir } from '../../helpers/tmp.ts';

const dir = tempDir('parley-chatterbot-yaml');
let files = 0;
function write(lines: string[], eol = '\n'): string {
  const file = join(dir, 'english', `topic-${files++}.yml`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, lines.join(eol));
  return file;
}

async function read(file: string, log = new IssueLog()): Promise<Conversation[]> {
  const out: Conversation[] = [];
  for await (const c of readChatterbot(file, log)) out.push(c);
  return out;
}

describe('ChatterBot YAML', () => {
  it('reads plain, quoted and block scalars, every one as a string, with CRLF line ends', async () => {
    const file = write([
      'categories:',
      '- greetings',
      'conversations:',
      "- - 'Hello: there?'",
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
      '- - 1984',
      '  - 3.14',
      '  - true',
    ], '\r\n');
    const cs = await read(file);
    expect(cs.map((c) => c.turns)).toEqual([
      ['Hello: there?', "It's 1984"],
      ['tab\there é', 'yes', 'line one\n\n  indented'],
      ['a plain continued line', 'folded text'],
      ['1984', '3.14', 'true'],
    ]);
    expect(cs.map((c) => c.source.line)).toEqual([4, 6, 12, 17]);
    expect(cs[0]).toMatchObject({ id: `english/topic-0#0`, topic: 'english/topic-0' });
  });

  it('keeps unicode text as written: a BOM is dropped, a no-break space and combining marks stay', async () => {
    const file = write(['\uFEFFconversations:', '- - 你好\u00a0世界', '  - "e\u0301 👋🏽"', '- - مرحبا', '  - שלום']);
    expect((await read(file)).map((c) => c.turns)).toEqual([
      ['你好\u00a0世界', 'e\u0301 👋🏽'],
      ['مرحبا', 'שלום'],
    ]);
  });

  it('reports bad items at their line (a missing inner dash, one turn, a key: value turn) and keeps the rest', async () => {
    const log = new IssueLog();
    const file = write(['conversations:', '- - a', '  - b', '- Which number?', "  - '22'", '- - c', '  - d', '- - alone', '- - Hello: there?', '  - Hi']);
    expect((await read(file, log)).map((c) => c.turns)).toEqual([['a', 'b'], ['c', 'd']]);
    expect(log.issues).toEqual([
      { file, line: 4, message: 'conversation 1: a string, not a list of turns' },
      { file, line: 8, message: 'conversation 3: 1 turn(s); a conversation needs at least 2' },
      { file, line: 9, message: `conversation 4: turn 0 is a mapping (YAML reads an unquoted ': ' as key: value; quote the turn)` },
    ]);
  });

  it('skips a malformed file with the line and column of its first YAML error', async () => {
    const cases: [string[], number, RegExp][] = [
      // yaml finds the missing quote where the file ends.
      [['conversations:', '- - "never closed', '  - b'], 3, /malformed YAML \(column \d+\): Missing closing "quote/],
      [['conversations:', '\t- - a', '  - b'], 2, /malformed YAML \(column 1\): Tabs are not allowed as indentation/],
      [['conversations:', '- - a', '  - b', 'conversations: []'], 4, /malformed YAML \(column 1\): Map keys must be unique/],
    ];
    for (const [lines, line, message] of cases) {
      const log = new IssueLog();
      const file = write(lines);
      await expect(read(file, log)).rejects.toThrow(CorpusError);
      expect(log.issues).toEqual([{ file, line, message: expect.stringMatching(message) }]);
    }
  });

  it('names the file and line in the error when no file holds a usable conversation', async () => {
    const file = write(['conversations:', '- - ok', '  - [unclosed']);
    await expect(read(file)).rejects.toThrow(new RegExp(`no usable examples in ${file}; 1 bad record\\(s\\) skipped; first: ${file}:3: malformed YAML`));
  });

  it('refuses an alias bomb instead of expanding it', async () => {
    const log = new IssueLog();
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) bomb.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    await expect(read(write([...bomb, 'conversations: [*f]']), log)).rejects.toThrow(CorpusError);
    expect(log.issues[0]!.message).toMatch(/malformed YAML: Excessive alias count/);
  });

  it('reports a file without a conversations list, and a __proto__ key is plain data', async () => {
    const log = new IssueLog();
    const file = write(['__proto__:', '  polluted: yes', 'categories:', '- none']);
    await expect(read(file, log)).rejects.toThrow(CorpusError);
    expect(log.issues).toEqual([{ file, line: 1, message: 'no "conversations:" list' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
