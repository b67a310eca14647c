// Reader for Penn-Treebank bracketed files (GUM's const/*.ptb): trees separated by blank lines or
// run together ("...)))(ROOT"), each split off by bracket balance so one bad tree costs only itself.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseTree, TreeSyntaxError, words } from '../../engine/index.ts';
import { unreadable, type IssueLog } from '../errors.ts';
import type { ParseExample } from '../types.ts';
import { requireSome } from './guard.ts';

/** Top-level bracketed chunks with the line each starts on, lazily so issues come in file order. */
function* chunks(source: string, file: string, log: IssueLog): Generator<{ text: string; line: number }> {
  let depth = 0;
  let start = -1;
  let startLine = 1;
  let line = 1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\n') line++;
    else if (c === '(') {
      if (depth === 0) {
        start = i;
        startLine = line;
      }
      depth++;
    } else if (c === ')') {
      if (depth === 0) {
        log.report(file, line, 'closing bracket outside any tree');
        continue;
      }
      depth--;
      if (depth === 0) yield { text: source.slice(start, i + 1), line: startLine };
    } else if (depth === 0 && !/\s/.test(c!)) {
      log.report(file, line, `text outside any tree: "${source.slice(i, i + 20).split('\n')[0]}"`);
      while (i + 1 < source.length && !/[\s()]/.test(source[i + 1]!)) i++;
    }
  }
  if (depth > 0) log.report(file, startLine, `tree never closes (${depth} bracket(s) open at end of file)`);
}

async function* records(file: string, log: IssueLog): AsyncGenerator<ParseExample> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
  const document = basename(file).replace(/\.[^.]*$/, '');
  for (const chunk of chunks(source, file, log)) {
    try {
      const tree = parseTree(chunk.text);
      yield { words: words(tree), tree, document, source: { file, line: chunk.line } };
    } catch (error) {
      if (!(error instanceof TreeSyntaxError)) throw error;
      log.report(file, chunk.line, `bad tree: ${error.message}`);
    }
  }
}

async function* allFiles(files: readonly string[], log: IssueLog): AsyncGenerator<ParseExample> {
  for (const file of files) yield* records(file, log);
}

/** Trees of one or more .ptb files; an error only if none holds a usable tree. */
export function readPtb(files: string | readonly string[], log: IssueLog): AsyncGenerator<ParseExample> {
  const list = typeof files === 'string' ? [files] : files;
  const name = list.length === 1 ? list[0]! : `${list.length} treebank files`;
  return requireSome(allFiles(list, log), name, log);
}
