// `parley tokenizer train|encode|decode`: trains a BPE SentencePiece model from text files, and encodes
// or decodes stdin line by line with one (ids space-separated, as spm_encode --output_format=id).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeModelProto, Tokenizer, trainSubwordModel, vocabListing } from '../engine/index.ts';

const USAGE = `usage:
  parley tokenizer train --input FILE [--input FILE...] --vocab-size N --out DIR [--model-type bpe|unigram]
                         [--character-coverage X] [--max-piece-length N] [--user-symbol S...]
      trains a byte-fallback model (BPE by default) on the files' lines;
      writes DIR/tokenizer.model and DIR/tokenizer.vocab
  parley tokenizer encode --model FILE.model    stdin lines -> space-separated ids on stdout
  parley tokenizer decode --model FILE.model    stdin lines of space-separated ids -> text on stdout`;

/** A usage mistake: reported with the usage text, exit status 2. */
class UsageError extends Error {}

export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  try {
    switch (action) {
      case 'train':
        return await train(rest);
      case 'encode':
        return await encode(rest);
      case 'decode':
        return await decode(rest);
      case '--help':
      case '-h':
        console.log(USAGE);
        return 0;
      default:
        throw new UsageError(action === undefined ? 'missing action' : `unknown action "${action}"`);
    }
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const known = action === 'train' || action === 'encode' || action === 'decode';
    console.error(`parley tokenizer${known ? ` ${action}` : ''}: ${(error as Error).message}`);
    if (usage) console.error(`\n${USAGE}`);
    return usage ? 2 : 1;
  }
}

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return Number(value);
}

async function train(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      input: { type: 'string', multiple: true },
      'vocab-size': { type: 'string' },
      out: { type: 'string' },
      'model-type': { type: 'string' },
      'character-coverage': { type: 'string' },
      'max-piece-length': { type: 'string' },
      'user-symbol': { type: 'string', multiple: true },
    },
  });
  const inputs = values.input ?? [];
  if (inputs.length === 0) throw new UsageError('train needs at least one --input FILE');
  const vocabSize = positiveInteger('--vocab-size', values['vocab-size']);
  if (vocabSize === undefined) throw new UsageError('train needs --vocab-size N');
  if (values.out === undefined) throw new UsageError('train needs --out DIR');
  const modelType = values['model-type'] ?? 'bpe';
  if (modelType !== 'bpe' && modelType !== 'unigram') throw new UsageError(`--model-type must be bpe or unigram, got "${modelType}"`);
  const coverageText = values['character-coverage'];
  const characterCoverage = coverageText === undefined ? undefined : Number(coverageText);
  if (characterCoverage !== undefined && !(characterCoverage > 0 && characterCoverage <= 1)) {
    throw new UsageError(`--character-coverage must be a number in (0, 1], got "${coverageText}"`);
  }

  const sentences: string[] = [];
  for (const file of inputs) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read --input ${file}: ${(error as Error).message}`);
    }
    for (const line of text.split('\n')) sentences.push(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
  const started = performance.now();
  const result = trainSubwordModel(sentences, {
    modelType,
    vocabSize,
    ...(characterCoverage !== undefined && { characterCoverage }),
    ...(values['max-piece-length'] !== undefined && { maxPieceLength: positiveInteger('--max-piece-length', values['max-piece-length']) }),
    ...(values['user-symbol'] !== undefined && { userDefinedSymbols: values['user-symbol'] }),
  });
  const seconds = (performance.now() - started) / 1000;
  await mkdir(values.out, { recursive: true });
  const modelPath = join(values.out, 'tokenizer.model');
  await writeFile(modelPath, encodeModelProto(result.model));
  await writeFile(join(values.out, 'tokenizer.vocab'), vocabListing(result.model));
  console.error(`trained ${result.model.pieces.length} ${modelType} pieces from ${result.sentences} sentences in ${seconds.toFixed(1)} s: ${modelPath}`);
  return 0;
}

function modelFlag(args: string[]): string {
  const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: { model: { type: 'string' } } });
  if (values.model === undefined) throw new UsageError('needs --model FILE.model');
  return values.model;
}

/** Calls `onLine` for each stdin line (split on "\n" only, so "\r" and other characters stay exact). */
async function eachStdinLine(onLine: (line: string, lineNumber: number) => string): Promise<void> {
  process.stdin.setEncoding('utf8');
  let pending = '';
  let lineNumber = 0;
  const flush = async (out: string[]): Promise<void> => {
    if (out.length > 0 && !process.stdout.write(out.join(''))) {
      await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  };
  for await (const chunk of process.stdin as AsyncIterable<string>) {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    await flush(lines.map((line) => `${onLine(line, ++lineNumber)}\n`));
  }
  if (pending !== '') await flush([`${onLine(pending, ++lineNumber)}\n`]);
}

async function encode(args: string[]): Promise<number> {
  const tokenizer = await Tokenizer.load(modelFlag(args));
  await eachStdinLine((line, n) => {
    try {
      return tokenizer.encode(line).join(' ');
    } catch (error) {
      throw new Error(`stdin line ${n}: ${(error as Error).message}`);
    }
  });
  return 0;
}

/** The ids of one line of `decode` input: non-negative integers separated by whitespace. */
export function parseIdLine(line: string, lineNumber: number): number[] {
  const fields = line.trim() === '' ? [] : line.trim().split(/\s+/);
  return fields.map((field) => {
    if (!/^[0-9]+$/.test(field)) throw new Error(`stdin line ${lineNumber}: "${field}" is not a token id`);
    return Number(field);
  });
}

async function decode(args: string[]): Promise<number> {
  const tokenizer = await Tokenizer.load(modelFlag(args));
  await eachStdinLine((line, n) => {
    const ids = parseIdLine(line, n);
    try {
      return tokenizer.decode(ids);
    } catch (error) {
      throw new Error(`stdin line ${n}: ${(error as Error).message}`);
    }
  });
  return 0;
}
