// Trains the task's subword tokenizer from its training texts (sources and, except for parse, targets),
// or with per-side vocabularies one tokenizer per side.
// Parse targets are not subword text: every bracket label and the XX placeholder becomes a user-defined
// piece, so a linearised tree is one id per token and the model's outputs map back one to one.
import { trainSubwordModel } from '../tokenizer/train-model.ts';
import type { Tree } from '../parsing/tree.ts';
import type { ModelProto } from '../tokenizer/model-proto.ts';
import type { PipelineTask } from './task.ts';

export interface TextPair {
  /** chat: turns (message last); parse: the sentence; else the source text. */
  input: string | string[];
  target: string;
  /** parse: the treebank tree with its POS tags, which evalb needs to delete punctuation as it should. */
  gold?: Tree;
}

export interface TokenizerBuildOptions {
  task: PipelineTask;
  vocabSize: number;
  /** One vocabulary for both sides (default), or the source or target side's own. */
  side?: 'joint' | 'source' | 'target';
}

export function parseTargetPieces(pairs: readonly TextPair[]): string[] {
  const pieces = new Set<string>();
  for (const p of pairs) for (const token of p.target.split(' ')) if (token !== '') pieces.add(token);
  return [...pieces].sort();
}

export function buildTokenizer(pairs: readonly TextPair[], options: TokenizerBuildOptions): ModelProto {
  const side = options.side ?? 'joint';
  const parse = options.task === 'parse';
  const texts: string[] = [];
  for (const p of pairs) {
    if (side !== 'target') texts.push(...(typeof p.input === 'string' ? [p.input] : p.input));
    // A parse target is bracket pieces, which a joint tokenizer holds as user-defined symbols; a target
    // side of its own learns from them too (the symbols stay whole, so only the spaces are left).
    if (side === 'target' || (side === 'joint' && !parse)) texts.push(p.target);
  }
  const userDefinedSymbols = parse && side !== 'source' ? parseTargetPieces(pairs) : [];
  // Small corpora cannot always fill the requested vocabulary; a smaller tokenizer is then fine.
  return trainSubwordModel(texts, { vocabSize: options.vocabSize + userDefinedSymbols.length, userDefinedSymbols, hardVocabLimit: false }).model;
}
