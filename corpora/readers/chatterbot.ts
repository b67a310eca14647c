// Reader for ChatterBot corpus files (gunthercox/chatterbot-corpus): YAML with
// "conversations: - - utterance ...", each inner list one conversation. Parsed by the `yaml` package
// with the failsafe schema, so every scalar stays a string (YAML 1.1 would turn "yes" or 1984 into a
// boolean or a number; a chat corpus wants the text).
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { isNode, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { unreadable, type IssueLog } from '../errors.ts';
import type { Conversation } from '../types.ts';
import { isRecord, requireSome, stringTurns } from './guard.ts';

interface Parsed {
  value: unknown;
  /** 1-based line on which each item of `conversations:` starts, to report bad items precisely. */
  itemLines: number[];
}

/** The file's content, or why it is not YAML (first error, with its line) as an issue in `log`. */
function parse(file: string, source: string, log: IssueLog): Parsed | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(source, { schema: 'failsafe', lineCounter: lines, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lines.linePos(error.pos[0]);
    log.report(file, line, `malformed YAML (column ${col}): ${error.message}`);
    return undefined;
  }
  try {
    return { value: doc.toJS(), itemLines: itemLines(doc, lines) };
  } catch (cause) {
    // toJS refuses alias expansions that would blow up (maxAliasCount), a "billion laughs" file.
    if (!(cause instanceof ReferenceError)) throw cause;
    log.report(file, 1, `malformed YAML: ${cause.message}`);
    return undefined;
  }
}

function itemLines(doc: Document, lines: LineCounter): number[] {
  const list = doc.get('conversations', true);
  if (!isSeq(list)) return [];
  return list.items.map((item) => (isNode(item) && item.range ? lines.linePos(item.range[0]).line : 1));
}

function whyNotTurns(item: unknown, error: string): string {
  // "- question" missing its second dash: YAML reads it as one folded string.
  if (typeof item === 'string') return 'a string, not a list of turns';
  const mapping = Array.isArray(item) ? item.findIndex(isRecord) : -1;
  if (mapping >= 0) return `turn ${mapping} is a mapping (YAML reads an unquoted ': ' as key: value; quote the turn)`;
  return error;
}

async function* records(file: string, log: IssueLog): AsyncGenerator<Conversation> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
  const parsed = parse(file, source, log);
  if (parsed === undefined) return;
  const doc = parsed.value;
  if (!isRecord(doc) || !Array.isArray(doc.conversations)) {
    log.report(file, 1, 'no "conversations:" list');
    return;
  }
  const topic = `${basename(dirname(file))}/${basename(file, '.yml')}`;
  for (const [i, item] of (doc.conversations as unknown[]).entries()) {
    const line = parsed.itemLines[i] ?? 1;
    const turns = stringTurns(item);
    if (!Array.isArray(turns)) {
      log.report(file, line, `conversation ${i}: ${whyNotTurns(item, turns.error)}`);
      continue;
    }
    yield { id: `${topic}#${i}`, turns, topic, source: { file, line } };
  }
}

async function* allFiles(files: readonly string[], log: IssueLog): AsyncGenerator<Conversation> {
  for (const file of files) yield* records(file, log);
}

/** Conversations of one or more .yml files; an error only if none of them holds a usable one. */
export function readChatterbot(files: string | readonly string[], log: IssueLog): AsyncGenerator<Conversation> {
  const list = typeof files === 'string' ? [files] : files;
  const name = list.length === 1 ? list[0]! : `${list.length} ChatterBot files (${dirname(list[0] ?? '.')})`;
  return requireSome(allFiles(list, log), name, log);
}
