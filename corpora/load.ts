// The task-level entry points training and evaluation use: a corpus by name (or a user's file) and a
// split in, typed examples out, streamed, with bad records going to an IssueLog. Every error, bad
// options included, surfaces when iteration starts.
import { join } from 'node:path';
import { conversationPairs } from './dialogue.ts';
import { CorpusError, IssueLog } from './errors.ts';
import { isHeldoutPath } from './heldout.ts';
import { corpusEntry, isCorpusName, type CorpusName } from './manifest.ts';
import { resolveCorporaDir } from './paths.ts';
import { readChatterbot } from './readers/chatterbot.ts';
import { readKdconv } from './readers/kdconv.ts';
import { readPtb } from './readers/ptb.ts';
import { readSelfDialogue } from './readers/self-dialogue.ts';
import { readSgd } from './readers/sgd.ts';
import { englishSide, readTatoeba } from './readers/tatoeba.ts';
import { readConversationsJsonl, readPairsJsonl, readPairsTsv } from './readers/user-pairs.ts';
import { DEFAULT_FRACTIONS, hashSplit, readGumSplits, type SplitFractions } from './splits.ts';
import type { Conversation, DialoguePair, Direction, ParseExample, Split, TranslationPair } from './types.ts';

export type UserFormat = 'pairs-tsv' | 'pairs-jsonl' | 'conversations-jsonl';
export const USER_FORMATS: readonly UserFormat[] = ['pairs-tsv', 'pairs-jsonl', 'conversations-jsonl'];
/** A shared corpus by name, or a user's own file. */
export type CorpusRef = CorpusName | { file: string; format: UserFormat };

export interface LoadOptions {
  split: Split;
  /** Corpus directory; default PARLEY_CORPORA, then ../shared/corpora. */
  dir?: string;
  log?: IssueLog;
  /** For hash-split corpora; default 5% valid, 5% test (KdConv: 10/10). */
  fractions?: SplitFractions;
}

export interface DialogueLoadOptions extends LoadOptions {
  contextTurns: number;
  /** ChatterBot language folder; default 'english'. */
  language?: string;
  /** Keep responses by this speaker only; SGD defaults to 'SYSTEM' (the agent a helpdesk model plays). */
  responder?: string;
}

function checkSplit(split: string): void {
  if (split !== 'train' && split !== 'valid' && split !== 'test') throw new Error(`split must be train, valid or test, got ${split}`);
}

/** A user's file, refused when it is the held-out evaluation set, which must never become training data. */
function checkUserFile(ref: { file: string; format: string }): void {
  if (!USER_FORMATS.includes(ref.format as UserFormat)) throw new Error(`user corpus format must be one of ${USER_FORMATS.join(', ')}, got ${ref.format}`);
  if (isHeldoutPath(ref.file)) throw new CorpusError(`${ref.file} is held-out evaluation data and is never read as a corpus; evaluate on it with parley eval --heldout chat or --heldout translate`);
}

async function* filterSplit<T>(items: AsyncIterable<T>, split: Split, splitOf: (item: T) => Split): AsyncGenerator<T> {
  for await (const item of items) if (splitOf(item) === split) yield item;
}

/** Conversations of a dialogue corpus in one split. */
export async function* loadConversations(ref: CorpusRef, options: Omit<DialogueLoadOptions, 'contextTurns'>): AsyncGenerator<Conversation> {
  yield* conversationsOf(ref, options);
}

function conversationsOf(ref: CorpusRef, options: Omit<DialogueLoadOptions, 'contextTurns'>): AsyncGenerator<Conversation> {
  checkSplit(options.split);
  const log = options.log ?? new IssueLog();
  const fractions = options.fractions ?? DEFAULT_FRACTIONS;
  const byId = (c: Conversation): Split => hashSplit(c.id, fractions);
  if (typeof ref !== 'string') {
    checkUserFile(ref);
    if (ref.format !== 'conversations-jsonl') throw new Error(`${ref.format} holds pairs, not conversations; use loadDialoguePairs`);
    return filterSplit(readConversationsJsonl(ref.file, log), options.split, byId);
  }
  const entry = corpusEntry(ref);
  const dir = resolveCorporaDir(options.dir);
  const paths = entry.dataFiles.map((f) => join(dir, f));
  switch (entry.name) {
    case 'self-dialogue':
      return filterSplit(readSelfDialogue(paths[0]!, log), options.split, byId);
    case 'kdconv':
      // Topics group conversations about the same film/song/place, so none straddles splits.
      return filterSplit(readKdconv(paths[0]!, log), options.split, (c) => hashSplit(c.topic ?? c.id, options.fractions ?? { valid: 0.1, test: 0.1 }));
    case 'chatterbot': {
      const language = options.language ?? 'english';
      if (!entry.variants!.includes(language)) throw new Error(`chatterbot has no language "${language}"; known: ${entry.variants!.join(', ')}`);
      const files = paths.filter((p) => p.includes(`/data/${language}/`));
      return filterSplit(readChatterbot(files, log), options.split, (c) => hashSplit(c.turns[0]!, fractions));
    }
    case 'sgd': {
      const file = { train: 'sgd_train.jsonl', valid: 'sgd_dev.jsonl', test: 'sgd_test.jsonl' }[options.split];
      return readSgd(paths.find((p) => p.endsWith(file))!, log, options.split);
    }
    default:
      throw new Error(`${ref} is a ${entry.task} corpus, not a dialogue corpus`);
  }
}

async function* pairsAsDialogue(pairs: AsyncIterable<TranslationPair>): AsyncGenerator<DialoguePair> {
  for await (const p of pairs) yield { context: [], message: p.src, response: p.tgt, conversationId: `${p.source.file}:${p.source.line}` };
}

/** Message → response pairs (with up to `contextTurns` turns of context) of one split. */
export async function* loadDialoguePairs(ref: CorpusRef, options: DialogueLoadOptions): AsyncGenerator<DialoguePair> {
  if (typeof ref !== 'string' && ref.format !== 'conversations-jsonl') {
    yield* pairsAsDialogue(loadTranslationPairs(ref, options));
    return;
  }
  const responder = options.responder ?? (ref === 'sgd' ? 'SYSTEM' : undefined);
  const pairOptions = { contextTurns: options.contextTurns, ...(responder === undefined ? {} : { responder }) };
  for await (const c of loadConversations(ref, options)) yield* conversationPairs(c, pairOptions);
}

export interface TranslationLoadOptions extends LoadOptions {
  /** Tatoeba: en-fr or fr-en (default fr-en), en-de or de-en (default de-en). User files: a label. */
  direction?: Direction;
}

/** The direction a registered Tatoeba corpus reads without --direction (xx-en); undefined for anything else. */
export function defaultDirection(ref: string): Direction | undefined {
  if (!isCorpusName(ref)) return undefined;
  const entry = corpusEntry(ref);
  if (entry.format !== 'tatoeba-tsv') return undefined;
  return `${entry.languages.find((l) => l !== 'en')!}-en` as Direction;
}

/** Sentence pairs of one split; Tatoeba splits by the English sentence. */
export async function* loadTranslationPairs(ref: CorpusRef, options: TranslationLoadOptions): AsyncGenerator<TranslationPair> {
  yield* translationPairsOf(ref, options);
}

function translationPairsOf(ref: CorpusRef, options: TranslationLoadOptions): AsyncGenerator<TranslationPair> {
  checkSplit(options.split);
  const log = options.log ?? new IssueLog();
  const fractions = options.fractions ?? DEFAULT_FRACTIONS;
  if (typeof ref !== 'string') {
    checkUserFile(ref);
    const read = ref.format === 'pairs-tsv' ? readPairsTsv : ref.format === 'pairs-jsonl' ? readPairsJsonl : undefined;
    if (read === undefined) throw new Error('conversations-jsonl holds conversations; use loadDialoguePairs');
    return filterSplit(read(ref.file, log, options.direction), options.split, (p) => hashSplit(p.src, fractions));
  }
  const entry = corpusEntry(ref);
  if (entry.format !== 'tatoeba-tsv') throw new Error(`${ref} is a ${entry.task} corpus, not a translation corpus`);
  const language = entry.languages.find((l) => l !== 'en')!;
  const direction = options.direction ?? defaultDirection(ref)!;
  const file = join(resolveCorporaDir(options.dir), entry.dataFiles[0]!);
  return filterSplit(readTatoeba(file, log, { language, direction }), options.split, (p) => hashSplit(englishSide(p), fractions));
}

/** Trees of GUM in one of its official document splits (dev is 'valid'). */
export async function* loadParseExamples(ref: CorpusRef, options: LoadOptions): AsyncGenerator<ParseExample> {
  checkSplit(options.split);
  if (typeof ref !== 'string') throw new Error('parse corpora are shared treebanks; user files are not supported yet');
  const entry = corpusEntry(ref);
  if (entry.format !== 'ptb') throw new Error(`${ref} is a ${entry.task} corpus, not a treebank`);
  const dir = resolveCorporaDir(options.dir);
  const documents = await readGumSplits(join(dir, entry.root, 'splits.md'));
  const log = options.log ?? new IssueLog();
  // Documents splits.md does not list train, so a new document never leaks into dev or test.
  const files = entry.dataFiles.filter((f) => (documents.get(documentOf(f)) ?? 'train') === options.split).map((f) => join(dir, f));
  if (files.length === 0) throw new CorpusError(`no ${ref} documents in split ${options.split} under ${dir}`);
  yield* readPtb(files, log);
}

function documentOf(path: string): string {
  return path.split('/').at(-1)!.replace(/\.ptb$/, '');
}
