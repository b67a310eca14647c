import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkModelProto } from '../../../engine/tokenizer/model-check.ts';
import { ModelType, PieceType, decodeModelProto, encodeModelProto, type ModelProto } from '../../../engine/tokenizer/model-proto.ts';
import { SPECIAL_IDS } from '../../../engine/tokenizer/special-tokens.ts';
import { trainSubwordModel } from '../../../engine/tokenizer/train-model.ts';
import { spm, tatoebaSentences } from './corpus.ts';

const trained = trainSubwordModel(tatoebaSentences(0, 800), { vocabSize: 500 }).model;

describe('ModelProto files', () => {
  it('reads back what it writes', () => {
    const back = decodeModelProto(encodeModelProto(trained));
    expect(back.pieces).toEqual(trained.pieces.map((p) => ({ ...p, score: Math.fround(p.score) })));
    expect(back.trainerSpec).toMatchObject({ ...trained.trainerSpec, characterCoverage: Math.fround(0.9995) });
    expect(back.normalizerSpec).toMatchObject({ ...trained.normalizerSpec, precompiledCharsmap: new Uint8Array(0) });
  });

  it('fills absent fields with the proto2 defaults SentencePiece uses', () => {
    const empty = decodeModelProto(new Uint8Array(0));
    expect(empty.pieces).toEqual([]);
    expect(empty.trainerSpec).toMatchObject({ modelType: ModelType.unigram, byteFallback: false, padId: -1, unkId: 0, bosPiece: '<s>' });
    expect(empty.normalizerSpec).toMatchObject({ addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true });
  });

  it('reads a model written by Google\'s spm_train', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-spm-train-'));
    try {
      const input = path.join(dir, 'input.txt');
      writeFileSync(input, `${tatoebaSentences(0, 1000).join('\n')}\n`);
      spm('spm_train', [`--input=${input}`, `--model_prefix=${path.join(dir, 'spm')}`, '--vocab_size=400', '--model_type=bpe',
        '--byte_fallback=true', '--pad_id=0', '--unk_id=1', '--bos_id=2', '--eos_id=3', '--user_defined_symbols=<sep>', '--minloglevel=2']);
      const model = decodeModelProto(readFileSync(path.join(dir, 'spm.model')));
      expect(model.pieces).toHaveLength(400);
      expect(model.trainerSpec.modelType).toBe(ModelType.bpe);
      expect(checkModelProto(model, 'spm.model').specialIds).toEqual(SPECIAL_IDS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('checkModelProto', () => {
  const broken = (change: (m: ModelProto) => void): ModelProto => {
    const copy = structuredClone(trained);
    change(copy);
    return copy;
  };

  it('accepts a trained model and reports its special ids', () => {
    const checked = checkModelProto(trained, 'ok.model');
    expect(checked.specialIds).toEqual(SPECIAL_IDS);
    expect(checked.pieces).toHaveLength(500);
    expect(checked.byteFallback).toBe(true);
  });

  it('names the file and the first problem', () => {
    const cases: [ModelProto, RegExp][] = [
      [broken((m) => { m.pieces = []; }), /has no pieces/],
      [broken((m) => { m.pieces[300]!.piece = m.pieces[301]!.piece; }), /defined twice/],
      [broken((m) => { m.pieces[300]!.piece = ''; }), /piece 300 is empty/],
      [broken((m) => { m.pieces[2]!.type = PieceType.unknown; }), /exactly one unknown piece, found 2/],
      [broken((m) => { m.pieces[40]!.type = PieceType.normal; }), /<0x23> is missing/],
      [broken((m) => { m.trainerSpec.byteFallback = false; }), /byte_fallback is off/],
      [broken((m) => { m.pieces[0]!.piece = '<padding>'; }), /no padding control piece <pad>/],
      [broken((m) => { m.trainerSpec.modelType = 9 as ModelType; }), /unknown model type 9/],
      [broken((m) => { m.pieces[300]!.score = Number.NaN; }), /score NaN/],
    ];
    for (const [model, why] of cases) {
      expect(() => checkModelProto(model, 'bad.model')).toThrow(why);
      expect(() => checkModelProto(model, 'bad.model')).toThrow(/^bad\.model: /);
    }
  });

  it('reports a missing <sep> as null rather than refusing', () => {
    const noSep = broken((m) => { m.pieces[4]!.piece = '<turn>'; });
    expect(checkModelProto(noSep, 'x').specialIds.sep).toBeNull();
  });
});
