// Synthetic sequence-to-sequence tasks for checking that a model learns at all (the copy and reverse
// tasks of Sutskever et al. 2014 / Graves 2014, and sorting): random token sequences, seeded.
import { Random as Rng } from '../../engine/index.ts';

export type SequenceTask = 'copy' | 'reverse' | 'sort';
export const SEQUENCE_TASKS: readonly SequenceTask[] = ['copy', 'reverse', 'sort'];

export interface SequenceTaskOptions {
  task: SequenceTask;
  count: number;
  seed: number;
  /** Tokens are the numbers 0 .. vocabSize-1, written in decimal. Default 10. */
  vocabSize?: number;
  minLength?: number;
  maxLength?: number;
}

/** Space-separated pairs, so they go through the same tokenizer path as real text. */
export interface SyntheticPair {
  src: string;
  tgt: string;
}

export function generateSequenceTask(options: SequenceTaskOptions): SyntheticPair[] {
  const { task, count, seed } = options;
  const vocabSize = options.vocabSize ?? 10;
  const minLength = options.minLength ?? 1;
  const maxLength = options.maxLength ?? 10;
  if (!SEQUENCE_TASKS.includes(task)) throw new Error(`task must be one of ${SEQUENCE_TASKS.join(', ')}, got ${String(task)}`);
  if (!Number.isInteger(count) || count < 0) throw new Error(`count must be an integer >= 0, got ${count}`);
  if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new Error(`vocabSize must be a positive integer, got ${vocabSize}`);
  if (!Number.isInteger(minLength) || minLength < 1 || !Number.isInteger(maxLength) || maxLength < minLength) {
    throw new Error(`lengths must be integers with 1 <= minLength <= maxLength, got ${minLength}..${maxLength}`);
  }
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const tokens = Array.from({ length: rng.between(minLength, maxLength) }, () => rng.between(0, vocabSize - 1));
    const target = task === 'copy' ? tokens : task === 'reverse' ? [...tokens].reverse() : [...tokens].sort((a, b) => a - b);
    return { src: tokens.join(' '), tgt: target.join(' ') };
  });
}
