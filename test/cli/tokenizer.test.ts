import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseIdLine, run } from '../../cli/tokenizer.ts';
import { UNICODE_SAMPLE, repoRoot, spm, tatoebaSentences } from '../engine/tokenizer/corpus.ts';

const bin = path.join(repoRoot, 'bin/parley.js');
let dir: string;
let modelPath: string;

function parley(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', cwd: repoRoot });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-cli-tokenizer-'));
  writeFileSync(path.join(dir, 'en.txt'), `${tatoebaSentences(0, 1500).filter((_, i) => i % 2 === 0).join('\n')}\n`);
  writeFileSync(path.join(dir, 'fr.txt'), `${tatoebaSentences(0, 1500).filter((_, i) => i % 2 === 1).join('\r\n')}\r\n`);
  const out = path.join(dir, 'tok');
  // Through the real bin/parley.js, so the command table entry is exercised too.
  const trained = parley(['tokenizer', 'train', '--input', path.join(dir, 'en.txt'), '--input', path.join(dir, 'fr.txt'),
    '--vocab-size', '800', '--out', out]);
  expect(trained.stderr).toMatch(/trained 800 bpe pieces from 3000 sentences/);
  expect(trained.status).toBe(0);
  modelPath = path.join(out, 'tokenizer.model');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the sub-command in this process (for failures that happen before stdin is read). */
async function runInProcess(args: string[]): Promise<{ status: number; stderr: string }> {
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const status = await run(args);
    return { status, stderr: errors.mock.calls.map((call) => call.join(' ')).join('\n') };
  } finally {
    errors.mockRestore();
  }
}

describe('parley tokenizer train', () => {
  it('writes tokenizer.model and a tokenizer.vocab listing with one line per piece', () => {
    expect(existsSync(modelPath)).toBe(true);
    const vocab = readFileSync(path.join(dir, 'tok/tokenizer.vocab'), 'utf8').split('\n').slice(0, -1);
    expect(vocab).toHaveLength(800);
    expect(vocab.slice(0, 5)).toEqual(['<pad>\t0', '<unk>\t0', '<s>\t0', '</s>\t0', '<sep>\t0']);
    // CRLF input lines are read without their carriage return.
    expect(vocab.some((line) => line.startsWith('\\r'))).toBe(false);
  });

  it('refuses missing or malformed flags with exit status 2 and the usage', async () => {
    const noVocab = await runInProcess(['train', '--input', 'x.txt', '--out', dir]);
    expect(noVocab.status).toBe(2);
    expect(noVocab.stderr).toContain('parley tokenizer train: train needs --vocab-size N');
    expect(noVocab.stderr).toContain('usage:');
    const badVocab = await runInProcess(['train', '--input', 'x.txt', '--vocab-size', '8k', '--out', dir]);
    expect(badVocab.stderr).toContain('--vocab-size must be a positive integer, got "8k"');
    const coverage = await runInProcess(['train', '--input', 'x.txt', '--vocab-size', '300', '--out', dir, '--character-coverage', '2']);
    expect(coverage.stderr).toContain('--character-coverage must be a number in (0, 1]');
    const modelType = await runInProcess(['train', '--input', 'x.txt', '--vocab-size', '300', '--out', dir, '--model-type', 'wordpiece']);
    expect(modelType.stderr).toContain('--model-type must be bpe or unigram, got "wordpiece"');
    expect((await runInProcess(['train', '--inptu', 'x.txt'])).status).toBe(2);
    expect((await runInProcess(['encode', '--model', modelPath, 'extra'])).status).toBe(2);
    expect((await runInProcess(['encode'])).stderr).toContain('needs --model FILE.model');
    const unknown = await runInProcess(['split']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown action "split"');
  });

  it('reports an unreadable input file with exit status 1', async () => {
    const result = await runInProcess(['train', '--input', path.join(dir, 'missing.txt'), '--vocab-size', '300', '--out', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cannot read --input ${path.join(dir, 'missing.txt')}`);
  });

});

describe('parley tokenizer encode and decode', () => {
  const lines = [...tatoebaSentences(50_000, 50_100), ...UNICODE_SAMPLE];

  it('encodes stdin lines to the ids spm_encode gives, and decodes them back exactly', () => {
    // A carriage return stays part of its line, and a last line without newline is still encoded.
    const input = `${lines.join('\n')}\ncarriage\r\nno final newline`;
    const encoded = parley(['tokenizer', 'encode', '--model', modelPath], input);
    expect(encoded.status).toBe(0);
    expect(encoded.stdout).toBe(spm('spm_encode', [`--model=${modelPath}`, '--output_format=id'], input));
    expect(encoded.stdout.split('\n')).toHaveLength(lines.length + 3);
    const decoded = parley(['tokenizer', 'decode', '--model', modelPath], encoded.stdout);
    expect(decoded.status).toBe(0);
    expect(decoded.stdout).toBe(`${input}\n`);
  });

  it('refuses an out-of-range id, naming the line, with exit status 1', () => {
    const range = parley(['tokenizer', 'decode', '--model', modelPath], '5 6\n7 800\n');
    expect(range.status).toBe(1);
    expect(range.stderr).toMatch(/stdin line 2: .*token id 800 at position 1 is outside the vocabulary \[0, 800\)/);
  });

  it('reads decode lines as whitespace-separated ids and refuses anything else', () => {
    expect(parseIdLine(' 5\t6  7 ', 1)).toEqual([5, 6, 7]);
    expect(parseIdLine('', 1)).toEqual([]);
    expect(() => parseIdLine('5 six', 3)).toThrow('stdin line 3: "six" is not a token id');
    expect(() => parseIdLine('-1', 4)).toThrow('"-1" is not a token id');
  });

  it('refuses a corrupt model file, naming it, with exit status 1', async () => {
    const corrupt = path.join(dir, 'corrupt.model');
    writeFileSync(corrupt, readFileSync(modelPath).subarray(0, 500));
    const result = await runInProcess(['encode', '--model', corrupt]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`parley tokenizer encode: ${corrupt}: not a SentencePiece model file`);
  });
});
