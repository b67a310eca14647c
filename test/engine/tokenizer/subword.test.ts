import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModelProto, type ModelProto } from '../../../engine/tokenizer/model-proto.ts';
import { processorCount } from '../../../engine/tokenizer/sentencepiece-runtime.ts';
import { SPECIAL_IDS } from '../../../engine/tokenizer/special-tokens.ts';
import { Tokenizer } from '../../../engine/tokenizer/subword.ts';
import { trainSubwordModel } from '../../../engine/tokenizer/train-model.ts';
import { UNICODE_SAMPLE, kdconvTurns, repoRoot, spm, tatoebaSentences } from './corpus.ts';

let dir: string;
let modelPath: string;
let model: ModelProto;
let tokenizer: Tokenizer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-subword-'));
  // Train on the first 4000 Tatoeba pairs plus the sample; compare on held-out pairs further down.
  model = trainSubwordModel([...tatoebaSentences(0, 4000), ...UNICODE_SAMPLE], { vocabSize: 1200 }).model;
  modelPath = path.join(dir, 'tokenizer.model');
  writeFileSync(modelPath, encodeModelProto(model));
  tokenizer = await Tokenizer.load(modelPath);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeModel(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe('Tokenizer round trip', () => {
  it('decodes every unicode-heavy sample line back to exactly the same string', () => {
    for (const text of UNICODE_SAMPLE) expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  });

  it('round-trips newlines, carriage returns, NUL and unseen characters through byte pieces', () => {
    const text = 'line one\nline two\r\n\u0000 \u{1F9EC}\u{10FFFF} Ꙭ';
    const ids = tokenizer.encode(text);
    expect(tokenizer.decode(ids)).toBe(text);
    expect(ids).toContain(tokenizer.pieceToId('<0x0A>'));
  });

  it('keeps the turn separator as one piece at its fixed id', () => {
    const ids = tokenizer.encode('hello<sep>bonjour');
    expect(ids.filter((id) => id === SPECIAL_IDS.sep)).toHaveLength(1);
    expect(tokenizer.specialIds).toEqual(SPECIAL_IDS);
  });

  it('spells user-defined pieces in bytes when asked, so user text cannot forge a turn separator', () => {
    const text = 'Tom<sep>est là <sep>';
    const matched = tokenizer.encode(text);
    const literal = tokenizer.encode(text, { userSymbols: 'literal' });
    expect(literal).not.toContain(SPECIAL_IDS.sep);
    const sepBytes = [...new TextEncoder().encode('<sep>')].map((b) => tokenizer.pieceToId(`<0x${b.toString(16).toUpperCase()}>`)!);
    expect(literal).toEqual(matched.flatMap((id) => (id === SPECIAL_IDS.sep ? sepBytes : [id])));
    expect(tokenizer.decode(literal)).toBe(text);
    expect(tokenizer.encode('no symbol here', { userSymbols: 'literal' })).toEqual(tokenizer.encode('no symbol here'));
    expect(() => tokenizer.encode(text, { userSymbols: 'bytes' as never })).toThrow(/userSymbols must be one of match, literal/);
  });

  it('decodes control pieces to nothing', () => {
    const ids = tokenizer.encode('Bonjour');
    expect(tokenizer.decode([SPECIAL_IDS.bos, ...ids, SPECIAL_IDS.eos, SPECIAL_IDS.pad])).toBe('Bonjour');
  });
});

describe('Tokenizer against Google spm_encode', () => {
  it('produces the same ids as spm_encode for held-out corpus lines and the unicode sample', () => {
    const lines = [...tatoebaSentences(60_000, 60_150), ...tatoebaSentences(140_000, 140_100), ...UNICODE_SAMPLE];
    expect(lines.length).toBeGreaterThan(400);
    const expected = spm('spm_encode', [`--model=${modelPath}`, '--output_format=id'], `${lines.join('\n')}\n`).split('\n');
    lines.forEach((line, i) => expect(tokenizer.encode(line).join(' '), JSON.stringify(line)).toBe(expected[i]));
  });

  it('decodes to the same text as spm_decode', () => {
    const lines = [...tatoebaSentences(70_000, 70_050), ...UNICODE_SAMPLE];
    const ids = lines.map((line) => tokenizer.encode(line).join(' '));
    const expected = spm('spm_decode', [`--model=${modelPath}`, '--input_format=id'], `${ids.join('\n')}\n`).split('\n');
    lines.forEach((line, i) => expect(expected[i]).toBe(line));
  });
});

describe('Tokenizer on a Chinese model', () => {
  it('matches spm_encode ids and round-trips held-out KdConv turns', async () => {
    const chinese = trainSubwordModel(kdconvTurns(0, 300), { vocabSize: 3000 }).model;
    const file = writeModel('chinese.model', encodeModelProto(chinese));
    const tok = await Tokenizer.load(file);
    const lines = kdconvTurns(800, 815);
    expect(lines.length).toBeGreaterThan(200);
    const expected = spm('spm_encode', [`--model=${file}`, '--output_format=id'], `${lines.join('\n')}\n`).split('\n');
    lines.forEach((line, i) => {
      expect(tok.encode(line).join(' '), line).toBe(expected[i]);
      expect(tok.decode(tok.encode(line))).toBe(line);
    });
  });
});

describe('Tokenizer on a unigram model', () => {
  it('round-trips the unicode sample and matches spm_encode ids', async () => {
    const unigram = trainSubwordModel([...tatoebaSentences(0, 3000), ...UNICODE_SAMPLE], { vocabSize: 900, modelType: 'unigram' }).model;
    const file = writeModel('unigram.model', encodeModelProto(unigram));
    const tok = await Tokenizer.load(file);
    const lines = [...tatoebaSentences(80_000, 80_100), ...UNICODE_SAMPLE];
    const expected = spm('spm_encode', [`--model=${file}`, '--output_format=id'], `${lines.join('\n')}\n`).split('\n');
    lines.forEach((line, i) => {
      expect(tok.encode(line).join(' '), JSON.stringify(line)).toBe(expected[i]);
      expect(tok.decode(tok.encode(line))).toBe(line);
    });
  });
});

describe('Tokenizer refusals', () => {
  it('refuses an id outside the vocabulary instead of decoding to ""', () => {
    const ok = tokenizer.encode('bonjour');
    for (const bad of [tokenizer.vocabSize, -1, 1.5, Number.NaN]) {
      expect(() => tokenizer.decode([...ok, bad])).toThrow(/outside the vocabulary/);
    }
    expect(() => tokenizer.decode([...ok, tokenizer.vocabSize])).toThrow(modelPath);
  });

  it('refuses literal user symbols for a model whose pieces depend on a dummy prefix', async () => {
    const prefixed = { ...model, normalizerSpec: { ...model.normalizerSpec, addDummyPrefix: true } };
    const other = await Tokenizer.load(encodeModelProto(prefixed), { name: 'prefixed' });
    expect(other.encode('a<sep>b')).toContain(SPECIAL_IDS.sep);
    expect(() => other.encode('a<sep>b', { userSymbols: 'literal' })).toThrow(/prefixed: literal user symbols need/);
  });

  it('refuses text with a lone surrogate', () => {
    expect(() => tokenizer.encode('a\ud800b')).toThrow(/lone UTF-16 surrogate/);
  });

  it('refuses files that are not model protobufs, naming the file', async () => {
    const text = writeModel('text.model', new TextEncoder().encode('this is not a model\n'));
    await expect(Tokenizer.load(text)).rejects.toThrow(`${text}: not a SentencePiece model file`);
    const truncated = writeModel('truncated.model', encodeModelProto(model).slice(0, 1000));
    await expect(Tokenizer.load(truncated)).rejects.toThrow(truncated);
    await expect(Tokenizer.load(path.join(dir, 'missing.model'))).rejects.toThrow(/cannot read tokenizer model/);
  });

  it('refuses a model without pieces or special pieces', async () => {
    const empty = writeModel('empty.model', new Uint8Array(0));
    await expect(Tokenizer.load(empty)).rejects.toThrow(/has no pieces/);
    const noPad = { ...model, pieces: model.pieces.slice(1) };
    await expect(Tokenizer.load(encodeModelProto(noPad), { name: 'no-pad' })).rejects.toThrow(/no-pad: .*<pad>/);
  });

  it('refuses a model SentencePiece itself cannot load, where sentencepiece-js would encode to []', async () => {
    const badCharsmap = { ...model, normalizerSpec: { ...model.normalizerSpec, precompiledCharsmap: new Uint8Array([1, 2, 3, 4, 5]) } };
    const count = processorCount();
    await expect(Tokenizer.load(encodeModelProto(badCharsmap), { name: 'bad-charsmap' }))
      .rejects.toThrow(/bad-charsmap: SentencePiece could not load this model/);
    expect(processorCount()).toBe(count);
  });
});

describe('Tokenizer processes', () => {
  it('shares one processor per model content, by path or bytes', async () => {
    const before = processorCount();
    const again = await Tokenizer.load(modelPath);
    const fromBytes = await Tokenizer.load(readFileSync(modelPath));
    expect(processorCount()).toBe(before);
    expect(again.encode('Tom est là.')).toEqual(fromBytes.encode('Tom est là.'));
  });

  it('leaves the host process crash handlers as they were after loading new models', async () => {
    const events = ['uncaughtException', 'unhandledRejection', 'exit', 'beforeExit', 'warning'] as const;
    const snapshot = (): Function[][] => events.map((event) => [...(process as NodeJS.EventEmitter).listeners(event)]);
    const before = snapshot();
    const other = trainSubwordModel(tatoebaSentences(10_000, 10_500), { vocabSize: 400 }).model;
    const third = trainSubwordModel(tatoebaSentences(20_000, 20_500), { vocabSize: 400 }).model;
    const count = processorCount();
    await Promise.all([Tokenizer.load(encodeModelProto(other)), Tokenizer.load(encodeModelProto(third))]);
    expect(processorCount()).toBe(count + 2);
    expect(snapshot()).toEqual(before);
  });

  it('lets an uncaught error in the host crash as plain Node would (exit 1, its own stack)', () => {
    // emscripten's rethrowing handler, if left in place, turns this into exit status 7.
    const script = path.join(dir, 'host.mts');
    writeFileSync(script, [
      `import { Tokenizer } from ${JSON.stringify(path.join(repoRoot, 'engine/tokenizer/subword.ts'))};`,
      `const tokenizer = await Tokenizer.load(${JSON.stringify(modelPath)});`,
      `console.log(tokenizer.encode('ok').length);`,
      `setTimeout(() => { throw new Error('host boom'); }, 0);`,
    ].join('\n'));
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, encoding: 'utf8' });
    expect(child.stdout.trim()).not.toBe('0');
    expect(child.stderr).toContain('Error: host boom');
    expect(child.stderr.length).toBeLessThan(5000);
    expect(child.status).toBe(1);
  });
});
