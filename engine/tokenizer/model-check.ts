// Checks a parsed SentencePiece ModelProto the way SentencePiece's own loader does (model_interface.cc),
// plus what Parley needs (pad/bos/eos pieces), so a bad file is refused with a reason instead of
// sentencepiece-js's silent empty encodings.
import { ModelType, PieceType, type ModelProto } from './model-proto.ts';
import { SPECIAL_PIECES, bytePieces } from './special-tokens.ts';

export interface TokenizerSpecialIds {
  pad: number;
  unk: number;
  bos: number;
  eos: number;
  /** The turn separator `<sep>`; null in a model that has none. */
  sep: number | null;
}

export interface CheckedModel {
  pieces: string[];
  specialIds: TokenizerSpecialIds;
  byteFallback: boolean;
  /** User-defined pieces: SentencePiece matches these in the input text and never splits them. */
  userDefined: string[];
  /** True when encoding pieces of a text separately gives the pieces of the whole (no dummy prefix, no whitespace cleanup). */
  splittable: boolean;
}

/** Returns the model's pieces and special ids, or throws an Error naming `source` and the first problem. */
export function checkModelProto(model: ModelProto, source: string): CheckedModel {
  const fail = (why: string): never => {
    throw new Error(`${source}: not a usable SentencePiece model: ${why}`);
  };
  const { pieces, trainerSpec } = model;
  if (pieces.length === 0) fail('it has no pieces');
  if (!(Object.values(ModelType) as number[]).includes(trainerSpec.modelType)) {
    fail(`unknown model type ${trainerSpec.modelType}`);
  }
  const normalIds = new Map<string, number>();
  const reservedIds = new Map<string, number>();
  const unknownIds: number[] = [];
  pieces.forEach(({ piece, type, score }, id) => {
    if (piece === '') fail(`piece ${id} is empty`);
    if (!(Object.values(PieceType) as number[]).includes(type)) fail(`piece ${id} has unknown type ${type}`);
    if (!Number.isFinite(score)) fail(`piece ${id} has score ${score}`);
    const normal = type === PieceType.normal || type === PieceType.userDefined || type === PieceType.unused;
    const ids = normal ? normalIds : reservedIds;
    if (ids.has(piece)) fail(`piece ${JSON.stringify(piece)} is defined twice (ids ${ids.get(piece)} and ${id})`);
    ids.set(piece, id);
    if (type === PieceType.unknown) unknownIds.push(id);
    if (type === PieceType.byte && !trainerSpec.byteFallback) fail(`byte piece ${id} found but byte_fallback is off`);
  });
  if (unknownIds.length !== 1) fail(`it needs exactly one unknown piece, found ${unknownIds.length}`);
  if (trainerSpec.byteFallback) {
    for (const byte of bytePieces()) {
      const id = reservedIds.get(byte);
      if (id === undefined || pieces[id]!.type !== PieceType.byte) fail(`byte_fallback is on but ${byte} is missing`);
    }
  }
  const controlId = (name: string, what: string): number => {
    const id = reservedIds.get(name);
    if (id === undefined || pieces[id]!.type !== PieceType.control) fail(`it has no ${what} control piece ${name}`);
    return id!;
  };
  const sep = normalIds.get(SPECIAL_PIECES.sep);
  return {
    pieces: pieces.map((p) => p.piece),
    specialIds: {
      pad: controlId(trainerSpec.padPiece, 'padding'),
      unk: unknownIds[0]!,
      bos: controlId(trainerSpec.bosPiece, 'begin-of-sentence'),
      eos: controlId(trainerSpec.eosPiece, 'end-of-sentence'),
      sep: sep !== undefined && pieces[sep]!.type === PieceType.userDefined ? sep : null,
    },
    byteFallback: trainerSpec.byteFallback,
    userDefined: pieces.filter((p) => p.type === PieceType.userDefined).map((p) => p.piece),
    splittable: !model.normalizerSpec.addDummyPrefix && !model.normalizerSpec.removeExtraWhitespaces,
  };
}
