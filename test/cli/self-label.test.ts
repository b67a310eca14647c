// parley self-label and --extra-trees: a parser's most confident parses of raw sentences, written as
// bracketed trees, read back as training pairs of the training split.
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { IssueLog } from '../../corpora/index.ts';
import { loadTreeFiles } from '../../cli/corpus-data.ts';
import { mostConfident, run, type Labelled } from '../../cli/self-label.ts';
import { parseTrainFlags } from '../../cli/train-options.ts';
import { heldOutPairs } from '../../cli/train-run.ts';
import { buildTokenizer, delinearize, encodeModelProto, modelConfig, parseTree, ptbTokenize, saveModel, Seq2Seq, words } from '../../engine/index.ts';
import { tempDir } from '../helpers/tmp.ts';

const labelled = (confidence: number): Labelled => ({ words: ['w'], tree: `(ROOT (XX ${confidence}))`, confidence });

describe('mostConfident', () => {
  it('keeps the share with the highest confidence, most confident first, leaving repaired parses out', () => {
    const parses = [-0.5, -0.1, -0.9, -0.2, -0.05].map(labelled);
    expect(mostConfident(parses, 0.4).map((p) => p.confidence)).toEqual([-0.05, -0.1]);
    expect(mostConfident(parses, 0.5).map((p) => p.confidence)).toEqual([-0.05, -0.1, -0.2]); // ceil(2.5)
    expect(mostConfident(parses, 1, [false, false, false, false, true]).map((p) => p.confidence)).toEqual([-0.1, -0.2, -0.5, -0.9]);
  });
});

describe('parley self-label', () => {
  it('writes the kept share of parses over the input sentences as bracketed trees that train as parse pairs', async () => {
    const root = tempDir('parley-self-label');
    const dir = path.join(root, 'model');
    const proto = buildTokenizer([{ input: 'the dog barks', target: '(S (NP XX XX )NP (VP XX )VP )S' }], { task: 'parse', vocabSize: 300 });
    const model = new Seq2Seq(modelConfig('nrm-local', { vocabSize: proto.pieces.length, embedding: 8, dropout: 0, encoder: { hidden: 8 }, decoder: { hidden: 8 }, attention: { dim: 8 }, readout: { dim: 8 } }));
    await saveModel(dir, model, { task: 'parse', pipelineTask: 'parse', tokenizer: 'tokenizer.model' });
    writeFileSync(path.join(dir, 'tokenizer.model'), encodeModelProto(proto));
    model.dispose();
    const sentences = ['The dog barked.', "Cats don't bark.", '', 'We saw (two) birds today.', 'It rains.'];
    writeFileSync(path.join(root, 'raw.txt'), sentences.join('\n'));
    const out = path.join(root, 'self.ptb');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await run(['--model', dir, '--sentences', path.join(root, 'raw.txt'), '--out', out, '--keep', '0.5', '--options', '{"strategy":"greedy"}'])).toBe(0);
      expect(JSON.parse(String(log.mock.calls.at(-1)![0]))).toMatchObject({ sentences: 4, kept: 2, repaired: 0 });
    } finally {
      log.mockRestore();
    }
    // ONNX Runtime graphs of the same weights parse the same trees and keep the same ones.
    const ortOut = path.join(root, 'self-ort.ptb');
    const ortLog = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await run(['--model', dir, '--sentences', path.join(root, 'raw.txt'), '--out', ortOut, '--keep', '0.5', '--options', '{"strategy":"greedy"}', '--engine', 'onnxruntime'])).toBe(0);
    } finally {
      ortLog.mockRestore();
    }
    expect(readFileSync(ortOut, 'utf8')).toBe(readFileSync(out, 'utf8'));
    const trees = readFileSync(out, 'utf8').trim().split('\n').map(parseTree);
    expect(trees).toHaveLength(2);
    const tokenized = sentences.filter((s) => s !== '').map((s) => ptbTokenize(s).join(' '));
    for (const t of trees) expect(tokenized).toContain(words(t).join(' '));
    const pairs = await loadTreeFiles([out], false, new IssueLog());
    expect(pairs).toHaveLength(2);
    for (const p of pairs) expect(delinearize(p.target.split(' '), (p.input as string).split(' ')).repaired).toBe(false);
    // An XX parser's trees cannot teach a tagging parser its tags.
    await expect(loadTreeFiles([out], true, new IssueLog())).rejects.toThrow(/tagged XX cannot train a --pos-tags parser/);
  });

  it('refuses a bad --keep and a model that is not a parser, by flag', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await run(['--model', 'x', '--sentences', 'y', '--out', 'z', '--keep', '1.5'])).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/--keep must be a share in \(0, 1\], got "1.5"/);
      expect(await run(['--model', 'x', '--sentences', 'y', '--out', 'z', '--engine', 'gpu'])).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/--engine must be tfjs or onnxruntime, got "gpu"/);
    } finally {
      err.mockRestore();
    }
  });
});

describe('parley train --extra-trees', () => {
  it('takes existing tree files for parse only, as absolute paths for --resume', () => {
    const file = path.join(tempDir('parley-extra-trees'), 'self.ptb');
    writeFileSync(file, '(ROOT (S (XX a)))\n');
    const parse = ['--task', 'parse', '--corpus', 'gum', '--out', 'x'];
    expect(parseTrainFlags([...parse, '--extra-trees', path.relative(process.cwd(), file)]).options.extraTrees).toEqual([file]);
    expect(parseTrainFlags(parse).options).not.toHaveProperty('extraTrees');
    expect(() => parseTrainFlags([...parse, '--extra-trees', `${file}.missing`])).toThrow(/--extra-trees: .* does not exist/);
    expect(() => parseTrainFlags(['--task', 'chat', '--corpus', 'self-dialogue', '--out', 'x', '--extra-trees', file])).toThrow(/--extra-trees only applies to --task parse/);
  });

  it('adds the trees to the training split only', async () => {
    const file = path.join(tempDir('parley-extra-trees'), 'self.ptb');
    writeFileSync(file, '(ROOT (S (NP (XX Cats)) (VP (XX sleep))))\n(ROOT (S (XX Yes)))\n');
    const { options } = parseTrainFlags(['--task', 'parse', '--corpus', 'gum', '--out', 'x', '--max-examples', '3', '--extra-trees', file]);
    const train = await heldOutPairs(options, 'train', new IssueLog());
    expect(train).toHaveLength(5);
    expect(train.slice(3).map((p) => [p.input, p.target])).toEqual([['Cats sleep', '(S (NP XX )NP (VP XX )VP )S'], ['Yes', '(S XX )S']]);
    const test = await heldOutPairs(options, 'test', new IssueLog());
    expect(test.map((p) => p.input)).not.toContain('Cats sleep');
  });
});
