// The typed subword tokenizer: a SentencePiece `.model` checked on load, then encoded and decoded by
// sentencepiece-js (ids identical to Google's spm_encode). Refuses what sentencepiece-js would get
// silently wrong: corrupt models (it encodes them to []), out-of-range ids (it decodes them to ""),
// and strings with lone surrogates (they cannot be UTF-8).
import { readFile } from 'node:fs/promises';
import { checkModelProto, type CheckedModel, type TokenizerSpecialIds } from './model-check.ts';
import { decodeModelProto } from './model-proto.ts';
import { processorFor, type RawProcessor } from './sentencepiece-runtime.ts';
import { bytePieces } from './special-tokens.ts';
import { isWellFormed } from './well-formed.ts';

export type { TokenizerSpecialIds } from './model-check.ts';

export interface TokenizerLoadOptions {
  /** Name used in error messages when loading from bytes (a path names itself). */
  name?: string;
}

/**
 * How text spelling a user-defined piece (`<sep>`) is encoded: 'match' gives the piece's id, as
 * SentencePiece does; 'literal' spells it in byte pieces, so text from a user cannot forge a turn separator.
 */
export type UserSymbolMode = 'match' | 'literal';

export interface EncodeOptions {
  userSymbols?: UserSymbolMode;
}

const USER_SYMBOL_MODES: readonly UserSymbolMode[] = ['match', 'literal'];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Tokenizer {
  /** The file (or given name) the model came from, for messages. */
  readonly source: string;
  /** Piece strings by id. */
  readonly pieces: readonly string[];
  readonly specialIds: Readonly<TokenizerSpecialIds>;
  private readonly processor: RawProcessor;
  private readonly pieceIds: ReadonlyMap<string, number>;
  private readonly model: CheckedModel;
  private readonly userSymbolPattern: RegExp | null;

  private constructor(source: string, model: CheckedModel, processor: RawProcessor) {
    this.source = source;
    this.model = model;
    this.pieces = Object.freeze(model.pieces);
    this.specialIds = Object.freeze(model.specialIds);
    this.processor = processor;
    this.pieceIds = new Map(model.pieces.map((piece, id) => [piece, id]));
    // Longest first, so that the leftmost match is also the longest, as SentencePiece's prefix matcher.
    const symbols = [...model.userDefined].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.userSymbolPattern = symbols.length > 0 ? new RegExp(symbols.join('|'), 'gu') : null;
  }

  /** Loads and checks a `.model` file (path) or its bytes; throws an Error naming the source if unusable. */
  static async load(model: string | Uint8Array, options: TokenizerLoadOptions = {}): Promise<Tokenizer> {
    const source = typeof model === 'string' ? model : (options.name ?? '<tokenizer model bytes>');
    let bytes: Uint8Array;
    try {
      bytes = typeof model === 'string' ? await readFile(model) : model;
    } catch (error) {
      throw new Error(`${source}: cannot read tokenizer model: ${(error as Error).message}`);
    }
    let parsed;
    try {
      parsed = decodeModelProto(bytes);
    } catch (error) {
      throw new Error(`${source}: not a SentencePiece model file (${(error as Error).message})`);
    }
    const checked = checkModelProto(parsed, source);
    let processor: RawProcessor;
    try {
      processor = await processorFor(bytes, checked.pieces.length);
    } catch (error) {
      throw new Error(`${source}: ${(error as Error).message}`);
    }
    return new Tokenizer(source, checked, processor);
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  /** Token ids of `text`, without BOS/EOS. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    this.checkText(text);
    const mode = options.userSymbols ?? 'match';
    if (!USER_SYMBOL_MODES.includes(mode)) {
      throw new Error(`${this.source}: userSymbols must be one of ${USER_SYMBOL_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
    }
    if (mode === 'match' || this.userSymbolPattern === null) return this.processor.encodeIds(text);
    return this.encodeLiteral(text, this.userSymbolPattern);
  }

  /** Piece strings of `text` (byte-fallback pieces appear as `<0xNN>`). */
  encodeAsPieces(text: string): string[] {
    return this.processor.encodePieces(this.checkText(text));
  }

  /** The text of `ids`; control pieces (pad, bos, eos) decode to nothing. Throws on an id outside the vocabulary. */
  decode(ids: readonly number[]): string {
    ids.forEach((id, position) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new RangeError(`${this.source}: token id ${id} at position ${position} is outside the vocabulary [0, ${this.vocabSize})`);
      }
    });
    return this.processor.decodeIds([...ids]);
  }

  idToPiece(id: number): string {
    const piece = this.pieces[id];
    if (piece === undefined || !Number.isInteger(id)) {
      throw new RangeError(`${this.source}: token id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
    }
    return piece;
  }

  /** The id of a piece string, or undefined when the vocabulary has no such piece. */
  pieceToId(piece: string): number | undefined {
    return this.pieceIds.get(piece);
  }

  /**
   * SentencePiece never merges across a user-defined piece, so encoding the text between them apart and
   * spelling each one in bytes gives the 'match' encoding with only those ids replaced.
   */
  private encodeLiteral(text: string, pattern: RegExp): number[] {
    if (!this.model.byteFallback || !this.model.splittable) {
      throw new Error(`${this.source}: literal user symbols need a byte-fallback model without dummy prefix or whitespace cleanup`);
    }
    const byteIds = bytePieces().map((piece) => this.pieceIds.get(piece)!);
    const encoder = new TextEncoder();
    const ids: number[] = [];
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      ids.push(...this.processor.encodeIds(text.slice(last, match.index)));
      for (const byte of encoder.encode(match[0])) ids.push(byteIds[byte]!);
      last = match.index! + match[0].length;
    }
    ids.push(...this.processor.encodeIds(text.slice(last)));
    return ids;
  }

  private checkText(text: string): string {
    if (typeof text !== 'string') throw new TypeError(`${this.source}: encode needs a string, got ${typeof text}`);
    if (!isWellFormed(text)) throw new Error(`${this.source}: cannot encode text holding a lone UTF-16 surrogate`);
    return text;
  }
}
