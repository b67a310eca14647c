// Parsing as translation (Vinyals et al. 2014): a treebank example becomes a source sentence of words
// and a target of linearised brackets. The paper also reverses the source; that is the model's choice.
import { linearize, type LinearizeOptions } from '../engine/index.ts';
import type { ParseExample } from './types.ts';

export interface ParsePair {
  /** The words, space-separated. */
  src: string;
  /** The linearised tree, space-separated: "(S (NP XX )NP (VP XX )VP XX )S". */
  tgt: string;
  words: string[];
}

export function toParsePair(example: ParseExample, options: LinearizeOptions = {}): ParsePair {
  return { src: example.words.join(' '), tgt: linearize(example.tree, options).join(' '), words: example.words };
}
