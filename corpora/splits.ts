// Deterministic train/valid/test assignment from a stable key (conversation id, English sentence,
// opening utterance): a fixed hash of the key, so an example's split never changes when data is added.
import { readFile } from 'node:fs/promises';
import { unreadable, CorpusError } from './errors.ts';
import type { Split } from './types.ts';

export interface SplitFractions {
  valid: number;
  test: number;
}

export const DEFAULT_FRACTIONS: SplitFractions = { valid: 0.05, test: 0.05 };

/**
 * Position of a key in [0, 1), stable across runs and machines: FNV-1a over the UTF-16 code units,
 * then MurmurHash3's fmix32 finaliser so nearby keys spread evenly. (sha256 was 7x slower, and
 * splitting Tatoeba hashes every pair.) Changing this reshuffles every hash-split corpus.
 */
export function keyPosition(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

export function hashSplit(key: string, fractions: SplitFractions = DEFAULT_FRACTIONS): Split {
  const { valid, test } = fractions;
  if (!(valid >= 0 && test >= 0 && valid + test < 1)) {
    throw new Error(`split fractions must be >= 0 and leave room for train, got valid ${valid}, test ${test}`);
  }
  const p = keyPosition(key);
  return p < valid ? 'valid' : p < valid + test ? 'test' : 'train';
}

/** An upstream split name as Parley's: dev → valid. */
export function upstreamSplit(name: string): Split | undefined {
  if (name === 'train') return 'train';
  if (name === 'dev' || name === 'valid' || name === 'validation') return 'valid';
  if (name === 'test') return 'test';
  return undefined;
}

/**
 * GUM's splits.md: "## dev" headings over "  * GUM_doc" items. Returns document → split for
 * train/dev/test; test2 (GENTLE, out of domain, not in this staging) is left out.
 */
export function parseGumSplits(markdown: string): Map<string, Split> {
  const out = new Map<string, Split>();
  let current: Split | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const heading = /^##\s+(\S+)/.exec(line);
    if (heading) {
      current = upstreamSplit(heading[1]!);
      continue;
    }
    const item = /^\s*\*\s+(\S+)/.exec(line);
    if (item && current !== undefined) out.set(item[1]!, current);
  }
  return out;
}

export async function readGumSplits(file: string): Promise<Map<string, Split>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
  const splits = parseGumSplits(text);
  if (splits.size === 0) throw new CorpusError(`no document splits found in ${file}`);
  return splits;
}
