// Reader for ChatterBot corpus files (gunthercox/chatterbot-corpus): YAML with
// "conversations: - - utterance ...", each inner list one conversation.
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { unreadable, type IssueLog } from '../errors.ts';
import type { Conversation } from '../types.ts';
import { parseYamlSubset, YamlSubsetError } from '../yaml-subset.ts';
import { isRecord, requireSome, stringTurns } from './guard.ts';

/** Line on which each top-level "- " item of `conversations:` starts, to report bad items precisely. */
function itemLines(source: string): number[] {
  const lines = source.split(/\r?\n/);
  const start = lines.findIndex((l) => /^conversations:\s*$/.test(l));
  const out: number[] = [];
  for (let i = start + 1; start >= 0 && i < lines.length; i++) {
    if (/^-(\s|$)/.test(lines[i]!)) out.push(i + 1);
    else if (/^\S/.test(lines[i]!) && !lines[i]!.startsWith('#')) break;
  }
  return out;
}

async function* records(file: string, log: IssueLog): AsyncGenerator<Conversation> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
  let doc;
  try {
    doc = parseYamlSubset(source);
  } catch (error) {
    if (!(error instanceof YamlSubsetError)) throw error;
    log.report(file, error.line, `YAML outside the supported subset: ${error.message}`);
    return;
  }
  if (!isRecord(doc) || !Array.isArray(doc.conversations)) {
    log.report(file, 1, 'no "conversations:" list');
    return;
  }
  const lines = itemLines(source);
  const topic = `${basename(dirname(file))}/${basename(file, '.yml')}`;
  for (const [i, item] of doc.conversations.entries()) {
    const line = lines[i] ?? 1;
    const turns = stringTurns(item);
    if (!Array.isArray(turns)) {
      // e.g. "- question" missing its second dash, which YAML reads as one folded string.
      log.report(file, line, `conversation ${i}: ${typeof item === 'string' ? 'a string, not a list of turns' : turns.error}`);
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
