// Input and output conventions per task, over a subword Tokenizer: chat joins the last turns with the
// real <sep> id (user text is encoded with literal user symbols, so it cannot forge a separator);
// parse maps words to subwords and targets to whole bracket pieces (Vinyals et al. 2014), then
// delinearizes the prediction over the input words; a tagging parser writes POS tags where the paper
// writes XX.
import type { TreeConstraint } from '../decoding/options.ts';
import { delinearize, WORD_PLACEHOLDER, type Repair } from '../parsing/linearize.ts';
import type { Constituent } from '../parsing/tree.ts';
import type { Tokenizer } from '../tokenizer/subword.ts';
import { SPECIAL_IDS } from '../tokenizer/special-tokens.ts';
import type { PipelineTask } from './task.ts';

/** chat: the turns so far, oldest first, the message last; parse: a sentence or its words; else text. */
export type PipelineInput = string | readonly string[];

export interface ParseOutput {
  tree: Constituent;
  repaired: boolean;
  repairs: Repair[];
  /** The predicted linearised tokens, as the model wrote them. */
  tokens: string[];
}

export type PipelineOutput = string | ParseOutput;

export interface CodecOptions {
  task: PipelineTask;
  /** The target side's tokenizer, and the source's unless sourceTokenizer is given. */
  tokenizer: Tokenizer;
  /** Per-side vocabularies: the source side's tokenizer. */
  sourceTokenizer?: Tokenizer;
  contextTurns?: number;
  /** Parse: the POS tags the model writes as preterminals (config.json `posTags`); absent, XX for every word. */
  posTags?: readonly string[];
}

const LITERAL = { userSymbols: 'literal' } as const;

/** A parse target piece: a labelled bracket or the word placeholder. */
export function isParsePiece(piece: string): boolean {
  return piece === 'XX' || /^[()]\S+$/.test(piece);
}

export function parseWords(input: PipelineInput): string[] {
  return typeof input === 'string' ? input.split(/\s+/).filter((w) => w !== '') : [...input];
}

export class TaskCodec {
  readonly task: PipelineTask;
  /** The target side's: reference outputs are encoded and predictions decoded with it. */
  readonly tokenizer: Tokenizer;
  /** Inputs are encoded with it: the target's own with a joint vocabulary. */
  readonly sourceTokenizer: Tokenizer;
  readonly contextTurns: number;
  /** Parse: the POS tags of a tagging parser; null when it writes XX for every word. */
  readonly posTags: readonly string[] | null;
  /** Parse: the target pieces that each stand for one word — XX, or the POS tags. */
  readonly preterminals: ReadonlySet<string>;

  constructor(options: CodecOptions) {
    this.task = options.task;
    this.tokenizer = options.tokenizer;
    this.sourceTokenizer = options.sourceTokenizer ?? options.tokenizer;
    this.contextTurns = options.contextTurns ?? 2;
    if (options.posTags !== undefined) {
      if (this.task !== 'parse') throw new Error(`posTags are for parse models, not ${this.task}`);
      const missing = options.posTags.filter((tag) => this.tokenizer.pieceToId(tag) === undefined);
      // A tag without a piece of its own could never be predicted: the tokenizer was not built for these tags.
      if (missing.length > 0) throw new Error(`${this.tokenizer.source}: no piece for the POS tag(s) ${missing.join(' ')}`);
    }
    this.posTags = options.posTags === undefined ? null : [...options.posTags];
    this.preterminals = new Set(options.posTags ?? [WORD_PLACEHOLDER]);
  }

  /** Source ids for one input (no BOS/EOS). */
  encodeInput(input: PipelineInput): number[] {
    const t = this.sourceTokenizer;
    switch (this.task) {
      case 'chat': {
        const turns = typeof input === 'string' ? [input] : input;
        if (turns.length === 0) throw new Error('chat input needs at least one turn');
        const ids: number[] = [];
        turns.slice(-(this.contextTurns + 1)).forEach((turn, i) => {
          if (i > 0) ids.push(SPECIAL_IDS.sep);
          ids.push(...t.encode(turn, LITERAL));
        });
        return ids;
      }
      case 'parse':
        return t.encode(parseWords(input).join(' '), LITERAL);
      default:
        if (typeof input !== 'string') throw new Error(`${this.task} input must be a string`);
        return t.encode(input, LITERAL);
    }
  }

  /**
   * Parse only: the well-formed-tree constraint for one input — its word count, the preterminal pieces
   * and the tokenizer's bracket pieces, "(L" and ")L" paired by label. Labels seen only opening or only
   * closing are left out.
   */
  treeConstraint(input: PipelineInput): TreeConstraint | null {
    if (this.task !== 'parse') return null;
    this.brackets ??= this.bracketPieces();
    this.preterminalIds ??= [...this.preterminals].map((piece) => this.tokenizer.pieceToId(piece)).filter((id) => id !== undefined);
    if (this.preterminalIds.length === 0) return null;
    return { words: parseWords(input).length, preterminals: this.preterminalIds, ...this.brackets };
  }

  private brackets?: { open: number[]; close: number[] };
  private preterminalIds?: number[];

  private bracketPieces(): { open: number[]; close: number[] } {
    const open: number[] = [];
    const close: number[] = [];
    for (let id = 0; id < this.tokenizer.vocabSize; id++) {
      const piece = this.tokenizer.idToPiece(id);
      if (!/^\(\S+$/.test(piece)) continue;
      const closing = this.tokenizer.pieceToId(`)${piece.slice(1)}`);
      if (closing === undefined) continue;
      open.push(id);
      close.push(closing);
    }
    return { open, close };
  }

  /** Target ids for a reference output: parse targets are whole bracket pieces, one id per token. */
  encodeTarget(target: string): number[] {
    if (this.task !== 'parse') return this.tokenizer.encode(target, LITERAL);
    return target.split(' ').filter((s) => s !== '').map((piece) => this.tokenizer.pieceToId(piece) ?? SPECIAL_IDS.unk);
  }

  /** Text for chat / translate / synthetic tasks; a repaired tree over the input words for parse. */
  decodeOutput(ids: readonly number[], input: PipelineInput): PipelineOutput {
    if (this.task !== 'parse') return this.tokenizer.decode(ids);
    const tokens = ids.map((id) => this.tokenizer.idToPiece(id)).filter((piece) => this.preterminals.has(piece) || /^[()]\S+$/.test(piece)); // XX is a word slot only where it is a preterminal
    const { tree, repaired, repairs } = delinearize(tokens, parseWords(input));
    return { tree, repaired, repairs, tokens };
  }
}
