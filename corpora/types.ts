// The typed examples corpus readers yield and the task pipelines produce.
import type { Tree } from '../engine/index.ts';

export type Task = 'chat' | 'translate' | 'parse';
export type Split = 'train' | 'valid' | 'test';
export const SPLITS: readonly Split[] = ['train', 'valid', 'test'];

/** A multi-turn conversation in speaking order. */
export interface Conversation {
  /** Stable within its corpus (upstream id, or file + first turn when there is none). */
  id: string;
  turns: string[];
  /** Parallel to turns where the corpus names speakers (SGD: USER / SYSTEM). */
  speakers?: string[];
  topic?: string;
  /** A split the corpus itself assigns (SGD files, KdConv's dev/test field). */
  upstreamSplit?: string;
  source: { file: string; line: number };
}

/** A message → response pair with up to k earlier turns as context, oldest first. */
export interface DialoguePair {
  context: string[];
  message: string;
  response: string;
  conversationId: string;
}

/** Language codes as written in directions: en, fr, de, zh. */
export type Direction = `${string}-${string}`;

export interface TranslationPair {
  src: string;
  tgt: string;
  direction: Direction;
  /** Tatoeba's attribution column when the file has one (later Anki exports do). */
  attribution?: string;
  source: { file: string; line: number };
}

export interface ParseExample {
  words: string[];
  tree: Tree;
  document: string;
  source: { file: string; line: number };
}
