// Reads and writes SentencePiece model files: the ModelProto protobuf of google/sentencepiece
// (schema subset in sentencepiece-model.proto), through protobufjs reflection.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** SentencePiece's piece types (ModelProto.SentencePiece.Type). */
export const PieceType = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

/** TrainerSpec.ModelType. */
export const ModelType = { unigram: 1, bpe: 2, word: 3, char: 4 } as const;
export type ModelType = (typeof ModelType)[keyof typeof ModelType];

export interface SentencePiece {
  piece: string;
  score: number;
  type: PieceType;
}

/** The TrainerSpec fields Parley writes and reads (camelCase of the proto names). */
export interface TrainerSpec {
  modelType: ModelType;
  vocabSize: number;
  characterCoverage: number;
  maxSentencepieceLength: number;
  splitByUnicodeScript: boolean;
  splitByWhitespace: boolean;
  splitByNumber: boolean;
  treatWhitespaceAsSuffix: boolean;
  splitDigits: boolean;
  allowWhitespaceOnlyPieces: boolean;
  controlSymbols: string[];
  userDefinedSymbols: string[];
  hardVocabLimit: boolean;
  byteFallback: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkSurface: string;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
}

export interface NormalizerSpec {
  name: string;
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

export interface ModelProto {
  pieces: SentencePiece[];
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
}

let modelType: protobuf.Type | undefined;

function schema(): protobuf.Type {
  if (!modelType) {
    const root = protobuf.loadSync(fileURLToPath(new URL('./sentencepiece-model.proto', import.meta.url)));
    modelType = root.lookupType('sentencepiece.ModelProto');
  }
  return modelType;
}

/** Serialises a model to the bytes of a `.model` file. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const type = schema();
  const message = type.fromObject(model as unknown as Record<string, unknown>);
  return type.encode(message).finish();
}

/**
 * Parses the bytes of a `.model` file; absent fields take the proto2 defaults, as in SentencePiece.
 * Throws when the bytes are not a protobuf message; `validateModelProto` checks the content.
 */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const type = schema();
  const options: protobuf.IConversionOptions = { defaults: true, enums: Number, longs: Number, bytes: Uint8Array, arrays: true };
  const object = type.toObject(type.decode(bytes), options);
  // A missing sub-message reads as all defaults, as in the C++ library.
  for (const [field, name] of [['trainerSpec', 'TrainerSpec'], ['normalizerSpec', 'NormalizerSpec']] as const) {
    const sub = type.lookupType(`sentencepiece.${name}`);
    object[field] ??= sub.toObject(sub.create(), options);
  }
  // protobufjs hands bytes back as a Node Buffer; callers get a plain Uint8Array.
  object.normalizerSpec.precompiledCharsmap = Uint8Array.from(object.normalizerSpec.precompiledCharsmap ?? []);
  for (const piece of object.pieces as Record<string, unknown>[]) {
    piece.piece ??= '';
    piece.score ??= 0;
    piece.type ??= PieceType.normal;
  }
  return object as ModelProto;
}
