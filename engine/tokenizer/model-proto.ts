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
  const message = type.decode(bytes);
  const object = type.toObject(message, { defaults: true, enums: Number, longs: Number, bytes: Uint8Array, arrays: true });
  if (!object.trainerSpec) object.trainerSpec = type.lookupType('sentencepiece.TrainerSpec').toObject(
    type.lookupType('sentencepiece.TrainerSpec').create(), { defaults: true, enums: Number, arrays: true });
  if (!object.normalizerSpec) object.normalizerSpec = type.lookupType('sentencepiece.NormalizerSpec').toObject(
    type.lookupType('sentencepiece.NormalizerSpec').create(), { defaults: true, bytes: Uint8Array });
  for (const piece of object.pieces as Record<string, unknown>[]) {
    // toObject leaves a proto2 field with a declared default at that default only when `defaults` is set.
    piece.type ??= PieceType.normal;
    piece.score ??= 0;
    piece.piece ??= '';
  }
  return object as ModelProto;
}
