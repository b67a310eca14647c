// The typed subword tokenizer: a SentencePiece `.model` checked on load, then encoded and decoded by
// sentencepiece-js (ids identical to Google's spm_encode). Refuses what sentencepiece-js would get
// silently wrong: corrupt models (it encodes them to []), out-of-range ids (it decodes them to ""),
// and strings with lone surrogates (they cannot be UTF-8).
import { readFile } from 'node:fs/promises';
import { checkModelProto, type TokenizerSpecialIds } from './model-check.ts';
import { decodeModelProto } from './model-proto.ts';
import { processorFor, type RawProcessor } from './sentencepiece-runtime.ts';
import { isWellFormed } from './well-formed.ts';

export type { TokenizerSpecialIds } from './model-check.ts';

export interface TokenizerLoadOptions {
  /** Name used in error messages when loading from bytes (a path names itself). */
  name?: string;
}

// Every usable model encodes this to a non-empty sequence; an empty one means the processor did not load.
const PROBE = 'Parley probe 0123 ?!';

export class Tokenizer {
  /** The file (or given name) the model came from, for messages. */
  readonly source: string;
  /** Piece strings by id. */
  readonly pieces: readonly string[];
  readonly specialIds: Readonly<TokenizerSpecialIds>;
  private readonly processor: RawProcessor;
  private readonly pieceIds: ReadonlyMap<string, number>;

  private constructor(source: string, pieces: string[], specialIds: TokenizerSpecialIds, processor: RawProcessor) {
    this.source = source;
    this.pieces = Object.freeze(pieces);
    this.specialIds = Object.freeze(specialIds);
    this.processor = processor;
    this.pieceIds = new Map(pieces.map((piece, id) => [piece, id]));
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
    const processor = await processorFor(bytes);
    const tokenizer = new Tokenizer(source, checked.pieces, checked.specialIds, processor);
    const probe = processor.encodeIds(PROBE);
    if (probe.length === 0 || probe.some((id) => !Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize)) {
      throw new Error(`${source}: SentencePiece could not load this model (a probe string encoded to [${probe.join(', ')}])`);
    }
    return tokenizer;
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  /** Token ids of `text`, without BOS/EOS. */
  encode(text: string): number[] {
    return this.processor.encodeIds(this.checkText(text));
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

  private checkText(text: string): string {
    if (typeof text !== 'string') throw new TypeError(`${this.source}: encode needs a string, got ${typeof text}`);
    if (!isWellFormed(text)) throw new Error(`${this.source}: cannot encode text holding a lone UTF-16 surrogate`);
    return text;
  }
}
