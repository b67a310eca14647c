// Trains a byte-fallback SentencePiece model (BPE or unigram) from sentences: Parley's fixed special
// pieces, the 256 byte pieces, then the learned pieces, with identity normalisation, as a ModelProto that
// sentencepiece-js and Google's spm_encode load. Whitespace stays a plain character (no U+2581 escaping,
// no dummy prefix), which is what makes decode(encode(x)) === x hold for every string.
import { learnBpe } from './bpe-trainer.ts';
import type { LearnOptions } from './char-set.ts';
import { learnUnigram } from './unigram-trainer.ts';
import { ModelType, PieceType, type ModelProto, type SentencePiece } from './model-proto.ts';
import { makeSegmenter } from './pretokenize.ts';
import { SPECIAL_IDS, SPECIAL_PIECES, bytePieces } from './special-tokens.ts';
import { isWellFormed } from './well-formed.ts';

export type SubwordModelType = 'bpe' | 'unigram';

export interface TrainOptions {
  /** 'bpe' (default): byte-pair merges; 'unigram': a unigram language model pruned by EM. */
  modelType?: SubwordModelType;
  /** Total pieces, special and byte pieces included. */
  vocabSize: number;
  /** Fraction of character occurrences the character set covers (default 0.9995, as SentencePiece). */
  characterCoverage?: number;
  /** Longest learned piece in code points (default 16, as SentencePiece). */
  maxPieceLength?: number;
  /** Extra user-defined pieces, given ids right after `<sep>`; always encoded whole. */
  userDefinedSymbols?: readonly string[];
  /** When the corpus cannot fill `vocabSize` pieces: throw (true, the default) or return a smaller model. */
  hardVocabLimit?: boolean;
}

export interface TrainResult {
  model: ModelProto;
  sentences: number;
  /** Distinct segments the pieces were learned from. */
  segments: number;
}

// SentencePiece's decoder turns U+2581 back into a space, so it must never be a piece: it is byte-encoded.
const EXCLUDED_CHARS: ReadonlySet<string> = new Set(['\u2581']);
const MODEL_TYPES: readonly SubwordModelType[] = ['bpe', 'unigram'];
const KNOWN_OPTIONS = new Set(['modelType', 'vocabSize', 'characterCoverage', 'maxPieceLength', 'userDefinedSymbols', 'hardVocabLimit']);

function checkOptions(options: TrainOptions): Required<TrainOptions> {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new Error(`trainSubwordModel: unknown option "${key}"`);
  }
  const resolved = {
    modelType: options.modelType ?? 'bpe',
    vocabSize: options.vocabSize,
    characterCoverage: options.characterCoverage ?? 0.9995,
    maxPieceLength: options.maxPieceLength ?? 16,
    userDefinedSymbols: options.userDefinedSymbols ?? [],
    hardVocabLimit: options.hardVocabLimit ?? true,
  };
  if (!MODEL_TYPES.includes(resolved.modelType)) {
    throw new Error(`trainSubwordModel: modelType must be one of ${MODEL_TYPES.join(', ')}, got ${JSON.stringify(resolved.modelType)}`);
  }
  if (!Number.isInteger(resolved.vocabSize) || resolved.vocabSize <= 0) {
    throw new Error(`trainSubwordModel: vocabSize must be a positive integer, got ${resolved.vocabSize}`);
  }
  const { characterCoverage: coverage, maxPieceLength } = resolved;
  if (!(coverage > 0 && coverage <= 1)) throw new Error(`trainSubwordModel: characterCoverage must be in (0, 1], got ${coverage}`);
  if (!Number.isInteger(maxPieceLength) || maxPieceLength < 2) {
    throw new Error(`trainSubwordModel: maxPieceLength must be an integer >= 2, got ${maxPieceLength}`);
  }
  for (const symbol of resolved.userDefinedSymbols) {
    if (typeof symbol !== 'string' || symbol === '' || !isWellFormed(symbol)) {
      throw new Error(`trainSubwordModel: user-defined symbol ${JSON.stringify(symbol)} must be a non-empty well-formed string`);
    }
  }
  return resolved;
}

/** The pieces every Parley model starts with: specials at their fixed ids, user-defined, then bytes. */
function headPieces(userDefined: readonly string[]): SentencePiece[] {
  const head: SentencePiece[] = [
    { piece: SPECIAL_PIECES.pad, score: 0, type: PieceType.control },
    { piece: SPECIAL_PIECES.unk, score: 0, type: PieceType.unknown },
    { piece: SPECIAL_PIECES.bos, score: 0, type: PieceType.control },
    { piece: SPECIAL_PIECES.eos, score: 0, type: PieceType.control },
    { piece: SPECIAL_PIECES.sep, score: 0, type: PieceType.userDefined },
    ...userDefined.map((piece) => ({ piece, score: 0, type: PieceType.userDefined })),
    ...bytePieces().map((piece) => ({ piece, score: 0, type: PieceType.byte })),
  ];
  const seen = new Set<string>();
  for (const { piece } of head) {
    if (seen.has(piece)) throw new Error(`trainSubwordModel: user-defined symbol ${JSON.stringify(piece)} is already a reserved piece`);
    seen.add(piece);
  }
  return head;
}

export function trainSubwordModel(sentences: Iterable<string>, options: TrainOptions): TrainResult {
  const opts = checkOptions(options);
  const userDefined = [SPECIAL_PIECES.sep, ...opts.userDefinedSymbols];
  const head = headPieces(opts.userDefinedSymbols);
  if (opts.vocabSize <= head.length) {
    throw new Error(`trainSubwordModel: vocabSize ${opts.vocabSize} leaves no room: ${head.length} pieces are reserved (specials and 256 bytes)`);
  }
  const segment = makeSegmenter(userDefined);
  const segments = new Map<string, number>();
  const count = (s: string): void => {
    segments.set(s, (segments.get(s) ?? 0) + 1);
  };
  let sentenceCount = 0;
  for (const sentence of sentences) {
    if (!isWellFormed(sentence)) throw new Error(`trainSubwordModel: sentence ${sentenceCount + 1} holds a lone surrogate`);
    if (sentence === '') continue;
    sentenceCount++;
    segment(sentence, count);
  }
  if (segments.size === 0) throw new Error('trainSubwordModel: no text to train on (all sentences empty)');

  const learnOptions: LearnOptions = {
    maxPieces: opts.vocabSize - head.length,
    characterCoverage: opts.characterCoverage,
    maxPieceLength: opts.maxPieceLength,
    reserved: new Set(head.map((p) => p.piece)),
    excludedChars: EXCLUDED_CHARS,
  };
  const pieces: SentencePiece[] = [...head, ...learnedPieces(opts.modelType, segments, learnOptions)];
  if (pieces.length < opts.vocabSize && opts.hardVocabLimit) {
    throw new Error(`trainSubwordModel: the corpus yields at most ${pieces.length} pieces; ask for vocabSize <= ${pieces.length}`);
  }
  return { model: modelProto(pieces, opts), sentences: sentenceCount, segments: segments.size };
}

/** BPE: merges in order (score -rank), then characters; unigram: pieces by log-probability. */
function learnedPieces(modelType: SubwordModelType, segments: ReadonlyMap<string, number>, options: LearnOptions): SentencePiece[] {
  if (modelType === 'unigram') {
    return learnUnigram(segments, options).map(({ piece, score }) => ({ piece, score, type: PieceType.normal }));
  }
  const { merges, chars } = learnBpe(segments, options);
  return [
    ...merges.map((piece, i) => ({ piece, score: -i, type: PieceType.normal })),
    ...chars.map((piece, i) => ({ piece, score: -(merges.length + i), type: PieceType.normal })),
  ];
}

function modelProto(pieces: SentencePiece[], opts: Required<TrainOptions>): ModelProto {
  return {
    pieces,
    trainerSpec: {
      modelType: opts.modelType === 'unigram' ? ModelType.unigram : ModelType.bpe,
      vocabSize: pieces.length,
      characterCoverage: opts.characterCoverage,
      maxSentencepieceLength: opts.maxPieceLength,
      splitByUnicodeScript: true,
      splitByWhitespace: true,
      splitByNumber: true,
      treatWhitespaceAsSuffix: false,
      splitDigits: false,
      allowWhitespaceOnlyPieces: false,
      controlSymbols: [],
      userDefinedSymbols: [SPECIAL_PIECES.sep, ...opts.userDefinedSymbols],
      hardVocabLimit: opts.hardVocabLimit,
      byteFallback: true,
      unkId: SPECIAL_IDS.unk,
      bosId: SPECIAL_IDS.bos,
      eosId: SPECIAL_IDS.eos,
      padId: SPECIAL_IDS.pad,
      unkSurface: ' \u2047 ',
      unkPiece: SPECIAL_PIECES.unk,
      bosPiece: SPECIAL_PIECES.bos,
      eosPiece: SPECIAL_PIECES.eos,
      padPiece: SPECIAL_PIECES.pad,
    },
    normalizerSpec: {
      name: 'identity',
      precompiledCharsmap: new Uint8Array(0),
      addDummyPrefix: false,
      removeExtraWhitespaces: false,
      escapeWhitespaces: false,
    },
  };
}

/** A human-readable listing, one `piece<TAB>score` line per id (scores to 6 digits); tab, newline, CR and backslash are escaped. */
export function vocabListing(model: ModelProto): string {
  const escape = (s: string): string => s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
  return model.pieces.map((p) => `${escape(p.piece)}\t${Number(p.score.toPrecision(6))}\n`).join('');
}
