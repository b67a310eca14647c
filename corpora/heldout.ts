// Parley's own held-out chat set (corpora/heldout/chat): 100 single messages and 20 multi-turn
// dialogues written for this project, each with a reference reply, in a dev and a test half. It is
// read only by evaluation: training refuses it (load.ts), and nothing is tuned on the test half.
import { join, resolve, sep } from 'node:path';
import { usesContext } from '../engine/index.ts';
import { CorpusError } from './errors.ts';
import { readJsonLines } from './lines.ts';
import { repoRoot } from './paths.ts';
import { isRecord } from './readers/guard.ts';

export const HELDOUT_DIR = join(repoRoot, 'corpora', 'heldout');
export const HELDOUT_CHAT = {
  name: 'parley-chat-heldout',
  licence: "MIT (the Parley project's own licence)",
  attribution: 'Written for Parley by its engineers; not drawn from any corpus',
  root: join(HELDOUT_DIR, 'chat'),
  files: { messages: 'messages.jsonl', dialogues: 'dialogues.jsonl' },
} as const;

export const HELDOUT_CATEGORIES = ['movies', 'music', 'food', 'travel', 'feelings', 'small-talk', 'about-the-bot', 'service'] as const;
export type HeldoutCategory = (typeof HELDOUT_CATEGORIES)[number];
export type HeldoutHalf = 'dev' | 'test';

export interface HeldoutMessage {
  id: string;
  split: HeldoutHalf;
  category: HeldoutCategory;
  message: string;
  reference: string;
}

/** Turns alternate speakers and end with the user's message; the answer must use an earlier turn. */
export interface HeldoutDialogue {
  id: string;
  split: HeldoutHalf;
  category: HeldoutCategory;
  turns: string[];
  reference: string;
  /** What a right answer uses, for a person reading the replies. */
  mustUse: string;
  /** The judge (engine/metrics/mentions.ts): a reply naming one keyword and no `avoid` uses the context. */
  keywords: string[];
  avoid: string[];
}

export interface HeldoutChatSet {
  messages: HeldoutMessage[];
  dialogues: HeldoutDialogue[];
}

/** Is `file` inside the held-out folder (which no training may read)? */
export function isHeldoutPath(file: string): boolean {
  return resolve(file).startsWith(HELDOUT_DIR + sep);
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${what} must be a non-empty string`);
  return value;
}

function strings(value: unknown, what: string, min: number, max = Infinity): string[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) throw new Error(`${what} must be a list of ${min}${max === Infinity ? ' or more' : `-${max}`} strings`);
  return value.map((v, i) => str(v, `${what}[${i}]`));
}

function common(value: Record<string, unknown>): Pick<HeldoutMessage, 'id' | 'split' | 'category' | 'reference'> {
  const split = value.split;
  if (split !== 'dev' && split !== 'test') throw new Error(`split must be "dev" or "test", got ${JSON.stringify(split)}`);
  const category = value.category as HeldoutCategory;
  if (!HELDOUT_CATEGORIES.includes(category)) throw new Error(`category must be one of ${HELDOUT_CATEGORIES.join(', ')}, got ${JSON.stringify(category)}`);
  return { id: str(value.id, 'id'), split, category, reference: str(value.reference, 'reference') };
}

function dialogue(value: Record<string, unknown>): HeldoutDialogue {
  const d: HeldoutDialogue = {
    ...common(value),
    turns: strings(value.turns, 'turns', 3, 6),
    mustUse: str(value.mustUse, 'mustUse'),
    keywords: strings(value.keywords, 'keywords', 1),
    avoid: value.avoid === undefined ? [] : strings(value.avoid, 'avoid', 1),
  };
  // A judge the last message alone could satisfy, or that the reference itself fails, measures nothing.
  if (usesContext(d.turns.at(-1)!, { keywords: d.keywords })) throw new Error('a keyword appears in the last message, so it does not test the earlier turns');
  if (!usesContext(d.reference, d)) throw new Error('the reference reply fails its own judge');
  return d;
}

/** Every record of a hand-written held-out file, parsed; the first bad one (its file and line named) is an error. */
export async function heldoutRecords<T extends { id: string; split: HeldoutHalf }>(file: string, parse: (v: Record<string, unknown>) => T): Promise<T[]> {
  const out: T[] = [];
  const ids = new Set<string>();
  for await (const { line, value } of readJsonLines(file, (l, m) => {
    throw new CorpusError(`${file}:${l}: ${m}`);
  })) {
    try {
      if (!isRecord(value)) throw new Error('not a JSON object');
      const record = parse(value);
      if (ids.has(record.id)) throw new Error(`duplicate id ${record.id}`);
      ids.add(record.id);
      out.push(record);
    } catch (error) {
      // Hand-written data: a bad record is a mistake to fix, never to skip.
      throw new CorpusError(`${file}:${line}: ${(error as Error).message}`);
    }
  }
  return out;
}

/** The held-out set, or one half of it; every record is checked and any bad one is an error. */
export async function loadHeldoutChat(options: { split: HeldoutHalf | 'all'; dir?: string }): Promise<HeldoutChatSet> {
  const dir = options.dir ?? HELDOUT_CHAT.root;
  const keep = <T extends { split: HeldoutHalf }>(items: T[]): T[] => (options.split === 'all' ? items : items.filter((i) => i.split === options.split));
  const messages = await heldoutRecords(join(dir, HELDOUT_CHAT.files.messages), (v) => ({ ...common(v), message: str(v.message, 'message') }));
  const dialogues = await heldoutRecords(join(dir, HELDOUT_CHAT.files.dialogues), dialogue);
  return { messages: keep(messages), dialogues: keep(dialogues) };
}
