import { describe, expect, it } from 'vitest';
import { ModelType, PieceType, encodeModelProto } from '../../../engine/tokenizer/model-proto.ts';
import { SPECIAL_IDS, SPECIAL_PIECES } from '../../../engine/tokenizer/special-tokens.ts';
import { trainSubwordModel, vocabListing } from '../../../engine/tokenizer/train-model.ts';
import { UNICODE_SAMPLE, tatoebaSentences } from './corpus.ts';

const corpus = [...tatoebaSentences(0, 1500), ...UNICODE_SAMPLE];

describe('trainSubwordModel model layout', () => {
  const { model, sentences } = trainSubwordModel(corpus, { vocabSize: 700 });

  it('puts pad, unk, bos, eos and <sep> at their fixed ids with SentencePiece types', () => {
    const head = model.pieces.slice(0, 5);
    expect(head.map((p) => p.piece)).toEqual([SPECIAL_PIECES.pad, SPECIAL_PIECES.unk, SPECIAL_PIECES.bos, SPECIAL_PIECES.eos, SPECIAL_PIECES.sep]);
    expect(head.map((p) => p.type)).toEqual([PieceType.control, PieceType.unknown, PieceType.control, PieceType.control, PieceType.userDefined]);
    expect(model.pieces[SPECIAL_IDS.sep]!.piece).toBe('<sep>');
  });

  it('follows with the 256 byte pieces, then learned merges by falling score, then characters', () => {
    const bytes = model.pieces.slice(5, 261);
    expect(bytes.every((p, b) => p.type === PieceType.byte && p.piece === `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)).toBe(true);
    const learned = model.pieces.slice(261);
    expect(learned.every((p) => p.type === PieceType.normal)).toBe(true);
    const scores = learned.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const firstChar = learned.findIndex((p) => [...p.piece].length === 1);
    expect(learned.slice(firstChar).every((p) => [...p.piece].length === 1)).toBe(true);
    expect(learned.slice(0, firstChar).every((p) => [...p.piece].length > 1)).toBe(true);
    expect(new Set(model.pieces.map((p) => p.piece)).size).toBe(model.pieces.length);
  });

  it('has exactly the requested vocabulary size and the BPE, byte-fallback, identity settings', () => {
    expect(model.pieces).toHaveLength(700);
    expect(sentences).toBe(corpus.filter((s) => s !== '').length);
    expect(model.trainerSpec).toMatchObject({
      modelType: ModelType.bpe, vocabSize: 700, byteFallback: true, padId: 0, unkId: 1, bosId: 2, eosId: 3, userDefinedSymbols: ['<sep>'],
    });
    expect(model.normalizerSpec).toMatchObject({ name: 'identity', addDummyPrefix: false, removeExtraWhitespaces: false, escapeWhitespaces: false });
    expect(model.normalizerSpec.precompiledCharsmap).toHaveLength(0);
  });

  it('writes byte-identical model files for the same input', () => {
    expect(encodeModelProto(trainSubwordModel(corpus, { vocabSize: 700 }).model)).toEqual(encodeModelProto(model));
  });
});

describe('trainSubwordModel unigram', () => {
  const { model } = trainSubwordModel(corpus, { vocabSize: 700, modelType: 'unigram' });

  it('keeps the same head and writes a unigram model scored by log-probability', () => {
    expect(model.pieces).toHaveLength(700);
    expect(model.pieces.slice(0, 261).map((p) => [p.piece, p.type]))
      .toEqual(trainSubwordModel(corpus, { vocabSize: 700 }).model.pieces.slice(0, 261).map((p) => [p.piece, p.type]));
    expect(model.trainerSpec.modelType).toBe(ModelType.unigram);
    const scores = model.pieces.slice(261).map((p) => p.score);
    expect(scores.every((s) => s < 0)).toBe(true);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(model.pieces.map((p) => p.piece)).size).toBe(700);
  });
});

describe('trainSubwordModel options', () => {
  it('gives extra user-defined symbols the ids after <sep> and keeps them out of merges', () => {
    const { model } = trainSubwordModel([...corpus, ...Array(50).fill('<user> <bot> <user>')], { vocabSize: 600, userDefinedSymbols: ['<user>', '<bot>'] });
    expect(model.pieces.slice(4, 7).map((p) => [p.piece, p.type])).toEqual([['<sep>', 4], ['<user>', 4], ['<bot>', 4]]);
    expect(model.pieces[7]!.piece).toBe('<0x00>');
    expect(model.pieces.filter((p) => p.piece.includes('<user>'))).toHaveLength(1);
  });

  it('keeps reserved piece strings out of the learned vocabulary even when the text is full of them', () => {
    const { model } = trainSubwordModel(Array(100).fill('<s> </s> <pad> <0x41> \u2581\u2581'), { vocabSize: 300, hardVocabLimit: false });
    const learned = model.pieces.slice(261).map((p) => p.piece);
    for (const reserved of ['<s>', '</s>', '<pad>', '<0x41>']) expect(learned).not.toContain(reserved);
    expect(learned.some((p) => p.includes('\u2581'))).toBe(false);
  });

  it('refuses a vocabulary the corpus cannot fill unless the limit is soft', () => {
    expect(() => trainSubwordModel(['ab ab ab'], { vocabSize: 400 })).toThrow(/at most \d+ pieces/);
    const { model } = trainSubwordModel(['ab ab ab'], { vocabSize: 400, hardVocabLimit: false });
    expect(model.pieces.length).toBeLessThan(400);
    expect(model.trainerSpec.vocabSize).toBe(model.pieces.length);
  });

  it('refuses bad options loudly', () => {
    expect(() => trainSubwordModel(corpus, { vocabSize: 261 })).toThrow(/leaves no room/);
    expect(() => trainSubwordModel(corpus, { vocabSize: 0 })).toThrow(/positive integer/);
    expect(() => trainSubwordModel(corpus, { vocabSize: 500, characterCoverage: 1.5 })).toThrow(/characterCoverage/);
    expect(() => trainSubwordModel(corpus, { vocabSize: 500, vocab: 3 } as never)).toThrow(/unknown option "vocab"/);
    expect(() => trainSubwordModel(corpus, { vocabSize: 500, modelType: 'char' as never })).toThrow(/modelType must be one of bpe, unigram/);
    expect(() => trainSubwordModel(corpus, { vocabSize: 500, userDefinedSymbols: ['<s>'] })).toThrow(/already a reserved piece/);
    expect(() => trainSubwordModel(['', ''], { vocabSize: 500 })).toThrow(/no text/);
    expect(() => trainSubwordModel(['ok', 'bad \ud800'], { vocabSize: 500 })).toThrow(/sentence 2 holds a lone surrogate/);
  });
});

describe('vocabListing', () => {
  it('lists one piece and score per id, escaping tabs, newlines and backslashes', () => {
    const { model } = trainSubwordModel(['a\tb\\c\nd'], { vocabSize: 280, hardVocabLimit: false });
    const lines = vocabListing(model).split('\n').slice(0, -1);
    expect(lines).toHaveLength(model.pieces.length);
    expect(lines[0]).toBe('<pad>\t0');
    expect(lines).toContain('\\t\t' + Math.round(model.pieces.find((p) => p.piece === '\t')!.score));
    expect(lines.some((l) => l.startsWith('\\\\\t'))).toBe(true);
    expect(lines.some((l) => l.startsWith('\\n'))).toBe(true);
  });
});
