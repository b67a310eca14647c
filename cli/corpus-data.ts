// Text pairs for a task from named corpora (or the synthetic generators), one split at a time; bad
// records are reported with file and line by the corpus readers and counted in the IssueLog.
import {
  CORPUS_NAMES,
  IssueLog,
  corpusEntry,
  generateSequenceTask,
  isCorpusName,
  loadDialoguePairs,
  loadParseExamples,
  loadTranslationPairs,
  readPtb,
  toParsePair,
  type Split,
} from '../corpora/index.ts';
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import type { CorpusRef, Direction } from '../corpora/index.ts';
import { isSynthetic, leaves, type PipelineTask, type TextPair } from '../engine/index.ts';

/** A mistake in the command line (exit status 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface DataOptions {
  task: PipelineTask;
  corpora: readonly string[];
  split: Split;
  dir?: string;
  contextTurns: number;
  /** Stop reading after this many pairs (per corpus). */
  maxExamples?: number;
  seed: number;
  log: IssueLog;
  /** Translation direction, e.g. fr-en (Tatoeba's default) or en-fr. */
  direction?: Direction;
  /** parse: linearised targets carry the treebank's POS tags as preterminals instead of XX. */
  posTags?: boolean;
}

/** Does a --corpus value name a file of the user's own (rather than a shared corpus)? */
export function isCorpusFile(name: string): boolean {
  return !isCorpusName(name) && /\.(tsv|jsonl)$/i.test(name);
}

/** A shared corpus by name, or a user's own file: .tsv pairs, .jsonl pairs or conversations (parley conversations). */
export function corpusRef(name: string): CorpusRef {
  if (isCorpusName(name)) return name;
  if (!existsSync(name)) throw new UsageError(`corpus file ${name} does not exist`);
  if (/\.tsv$/i.test(name)) return { file: name, format: 'pairs-tsv' };
  const fd = openSync(name, 'r');
  const head = Buffer.alloc(4096);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  return { file: name, format: /"turns"\s*:/.test(head.subarray(0, n).toString('utf8')) ? 'conversations-jsonl' : 'pairs-jsonl' };
}

const SYNTHETIC_COUNTS: Record<Split, number> = { train: 2000, valid: 100, test: 100 };
const SPLIT_SEEDS: Record<Split, number> = { train: 0, valid: 1, test: 2 };

/** Checks corpus names against the task before anything is read. */
export function checkCorpora(task: PipelineTask, corpora: readonly string[]): void {
  if (isSynthetic(task)) {
    if (corpora.length > 0) throw new UsageError(`--task ${task} generates its data; leave out --corpus`);
    return;
  }
  if (corpora.length === 0) throw new UsageError(`--task ${task} needs --corpus NAME (known: ${CORPUS_NAMES.join(', ')})`);
  for (const name of corpora) {
    if (isCorpusFile(name)) {
      corpusRef(name);
      if (task === 'parse') throw new UsageError(`--task parse reads treebanks by name (${CORPUS_NAMES.join(', ')}), not ${name}`);
      continue;
    }
    if (!isCorpusName(name)) throw new UsageError(`unknown corpus "${name}"; known: ${CORPUS_NAMES.join(', ')}, or a .tsv/.jsonl file of your own`);
    const entry = corpusEntry(name);
    if (entry.task !== task) throw new UsageError(`corpus ${name} is a ${entry.task} corpus, not ${task}`);
  }
}

async function take<T>(items: AsyncIterable<T>, limit: number, map: (item: T) => TextPair, out: TextPair[]): Promise<void> {
  let n = 0;
  for await (const item of items) {
    if (n++ >= limit) break;
    out.push(map(item));
  }
}

export async function loadTaskPairs(options: DataOptions): Promise<TextPair[]> {
  const { task, split, log } = options;
  const limit = options.maxExamples ?? Number.POSITIVE_INFINITY;
  if (isSynthetic(task)) {
    const count = Math.min(limit, split === 'train' ? SYNTHETIC_COUNTS.train : SYNTHETIC_COUNTS[split]);
    return generateSequenceTask({ task, count, seed: options.seed * 3 + SPLIT_SEEDS[split], maxLength: 8 }).map((p) => ({ input: p.src, target: p.tgt }));
  }
  const base = { split, log, ...(options.dir === undefined ? {} : { dir: options.dir }), ...(options.direction === undefined ? {} : { direction: options.direction }) };
  const out: TextPair[] = [];
  for (const name of options.corpora) {
    const ref = corpusRef(name);
    if (task === 'chat') {
      await take(loadDialoguePairs(ref, { ...base, contextTurns: options.contextTurns }), limit, (p) => ({ input: [...p.context, p.message], target: p.response }), out);
    } else if (task === 'translate') {
      await take(loadTranslationPairs(ref, base), limit, (p) => ({ input: p.src, target: p.tgt }), out);
    } else {
      const tags = options.posTags ? 'keep' : 'xx';
      await take(loadParseExamples(ref, base), limit, (e) => {
        const p = toParsePair(e, { tags });
        return { input: p.src, target: p.tgt, gold: e.tree };
      }, out);
    }
  }
  return out;
}

/**
 * parse: bracketed trees of one's own (`parley self-label` writes them) as training pairs. A tagging
 * parser learns the trees' tags, so trees an XX parser wrote (every tag XX) are refused for it.
 */
export async function loadTreeFiles(files: readonly string[], posTags: boolean, log: IssueLog): Promise<TextPair[]> {
  const out: TextPair[] = [];
  for await (const e of readPtb(files, log)) {
    if (posTags && leaves(e.tree).some((l) => l.tag === 'XX')) {
      throw new UsageError(`${e.source.file}:${e.source.line}: a tree tagged XX cannot train a --pos-tags parser (self-label with a tagging parser)`);
    }
    const p = toParsePair(e, { tags: posTags ? 'keep' : 'xx' });
    out.push({ input: p.src, target: p.tgt, gold: e.tree });
  }
  return out;
}
