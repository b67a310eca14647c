// What a person's text becomes before a pipeline reads it, and what its output becomes before a person
// reads it, per task: the one place `parley decode` and the server shape inputs and render outputs.
import { printTree } from '../parsing/tree.ts';
import { ptbTokenize } from '../parsing/tokenize.ts';
import type { PipelineInput, PipelineOutput } from './codec.ts';
import type { PipelineTask } from './task.ts';

/** Between the turns of a chat line (`parley decode`, chat corpora written one exchange a line). */
export const TURN_SEPARATOR = ' ||| ';

/**
 * A chat line's turns, oldest first, the message last. Split on the exact separator, spaces included, so
 * a "|||" inside a word stays text; an empty line is one empty turn.
 */
export function splitTurns(line: string): string[] {
  return line.split(TURN_SEPARATOR);
}

/**
 * The pipeline's input for one request given as turns (a translate or parse request is one turn): chat
 * reads the turns; a parser reads treebank-style words, raw text split the way its training trees split
 * it (ptbTokenize); the other tasks read the text as it is.
 */
export function taskInput(task: PipelineTask, turns: readonly string[]): PipelineInput {
  if (task === 'chat') return [...turns];
  const text = turns[0] ?? '';
  return task === 'parse' ? ptbTokenize(text).join(' ') : text;
}

/** One input line as `parley decode` reads it: a chat line holds its earlier turns, separated by " ||| ". */
export function lineInput(task: PipelineTask, line: string): PipelineInput {
  return taskInput(task, task === 'chat' ? splitTurns(line) : [line]);
}

export interface RenderedOutput {
  /** The text, or for parse the bracketed tree over the input words. */
  text: string;
  /** parse: whether the predicted bracketing was repaired to be well formed. */
  repaired?: boolean;
}

/** A pipeline output as a person reads it. */
export function renderOutput(output: PipelineOutput): RenderedOutput {
  return typeof output === 'string' ? { text: output } : { text: printTree(output.tree), repaired: output.repaired };
}
