import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportTranslationIds, runOptionsFor } from '../../bench/translate-export.ts';
import { readJsonl, scoreHypotheses, type TestRow } from '../../bench/translate-score.ts';
import { repoRoot } from '../../corpora/paths.ts';
import { initBackend } from '../../engine/backend.ts';
import { saveModel } from '../../engine/checkpoint/model-dir.ts';
import { modelConfig } from '../../engine/config.ts';
import { corpusBleu, spaceTokens } from '../../engine/metrics/bleu.ts';
import { Seq2Seq } from '../../engine/models/seq2seq.ts';
import { buildTokenizer } from '../../engine/pipeline/build-tokenizer.ts';
import { defaultDecoding } from '../../engine/pipeline/evaluate.ts';
import { loadPipeline } from '../../engine/pipeline/pipeline.ts';
import { encodeModelProto } from '../../engine/tokenizer/model-proto.ts';
import { Tokenizer } from '../../engine/tokenizer/subword.ts';
import { tempDir } from '../helpers/tmp.ts';

const WORDS = ['chat', 'chien', 'école', 'maison', 'garçon', 'île', 'cœur', 'naïve', 'forêt', 'noël'];
const ENGLISH = ['cat', 'dog', 'school', 'house', 'boy', 'island', 'heart', 'naive', 'forest', 'christmas'];

/** 600 distinct pairs with accents, ligatures, an emoji and a few very long sentences (over --max-length). */
function corpusLines(): [string, string][] {
  return Array.from({ length: 600 }, (_, i) => {
    const a = i % 10;
    const b = Math.floor(i / 10) % 10;
    const long = i % 97 === 5 ? ` ${'et encore une phrase très longue '.repeat(3)}` : '';
    const emoji = i % 50 === 7 ? ' 🐈' : '';
    return [`Le ${WORDS[a]} voit ${i} ${WORDS[b]}${long}${emoji}.`, `The ${ENGLISH[a]} sees ${i} ${ENGLISH[b]}${long ? ' and yet another very long sentence'.repeat(3) : ''}${emoji}.`];
  });
}

let dir: string;
let corpus: string;
let modelDir: string;
let tokenizer: Tokenizer;

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  dir = tempDir('parley-translate-ids');
  corpus = path.join(dir, 'pairs.tsv');
  const lines = corpusLines();
  writeFileSync(corpus, lines.map(([fr, en]) => `${fr}\t${en}`).join('\n') + '\n');
  modelDir = path.join(dir, 'model');
  const proto = buildTokenizer(lines.map(([input, target]) => ({ input, target })), { task: 'translate', vocabSize: 700 });
  tokenizer = await Tokenizer.load(encodeModelProto(proto));
  const config = modelConfig('rnnsearch', { vocabSize: tokenizer.vocabSize, embedding: 8, encoder: { hidden: 8 }, decoder: { hidden: 16 }, attention: { dim: 8 }, readout: { dim: 8 } });
  const model = new Seq2Seq(config);
  // Untrained, the model would match no reference word and every BLEU would be 0: a bias towards " sees"
  // makes its outputs match one word per sentence, so BLEU depends on which sentences were decoded.
  const sees = tokenizer.encode(' sees');
  if (sees.length !== 1) throw new Error(`" sees" is ${sees.length} pieces in the test tokenizer`);
  const bias = new Float32Array(tokenizer.vocabSize);
  bias[sees[0]!] = 20;
  model.params.get('readout/b_out').assign(tf.tensor1d(bias));
  await saveModel(modelDir, model, { task: 'translate', pipelineTask: 'translate', tokenizer: 'tokenizer.model', corpora: [corpus], dataSeed: 1 });
  model.dispose();
  writeFileSync(path.join(modelDir, 'tokenizer.model'), encodeModelProto(proto));
});

const rows = (out: string, split: string) => readJsonl<{ src: number[]; tgt?: number[]; source?: string; reference?: string }>(path.join(out, `${split}.jsonl`));

describe('bench/translate-ids: a run\'s pairs as token ids', () => {
  it('writes every pair of the corpus once, as ids that decode back to its texts, dropping only pairs over --max-length', async () => {
    const out = path.join(dir, 'ids');
    const summary = await exportTranslationIds({ model: modelDir, out, overrides: { maxLength: '24' }, limit: 1000 });
    const texts = new Map(corpusLines());
    const train = rows(out, 'train');
    const valid = rows(out, 'valid');
    const test = rows(out, 'test') as TestRow[];
    expect(summary).toMatchObject({ train: train.length, valid: valid.length, test: test.length, testSplit: test.length, vocabSize: tokenizer.vocabSize });
    // The splits partition the corpus; only training pairs are length-filtered, as parley train does.
    expect(summary.train + summary.droppedOverMaxLength + summary.valid + summary.testSplit).toBe(600);
    expect(summary.droppedOverMaxLength).toBeGreaterThan(0);
    expect(Math.min(train.length, valid.length, test.length)).toBeGreaterThan(10);
    const seen = new Set<string>();
    for (const r of [...train, ...valid]) {
      const fr = tokenizer.decode(r.src);
      expect(texts.get(fr)).toBe(tokenizer.decode(r.tgt!));
      expect(seen.has(fr)).toBe(false);
      seen.add(fr);
    }
    for (const r of train) expect(r.src.length <= 24 && r.tgt!.length <= 24 && r.src.length > 0).toBe(true);
    for (const r of test) {
      expect(tokenizer.decode(r.src)).toBe(r.source);
      expect(texts.get(r.source)).toBe(r.reference);
      expect(seen.has(r.source)).toBe(false);
    }
    // The pairs left out are exactly the training pairs with a side over 24 ids.
    const missing = [...texts].filter(([fr]) => !seen.has(fr) && !test.some((t) => t.source === fr));
    expect(missing.length).toBe(summary.droppedOverMaxLength);
    for (const [fr, en] of missing) expect(Math.max(tokenizer.encode(fr).length, tokenizer.encode(en).length)).toBeGreaterThan(24);
    const meta = JSON.parse(readFileSync(path.join(out, 'meta.json'), 'utf8'));
    expect(meta.specials).toEqual({ pad: 0, unk: 1, bos: 2, eos: 3 });
    expect(meta.training).toMatchObject({ maxLength: 24, batchTokens: 1500, learningRate: 1e-3, clipNorm: 5 });
    expect(meta.test.decoding).toEqual(defaultDecoding('translate'));
  });

  it('reads --max-examples as parley train does: that many training pairs, a tenth as many validation pairs', async () => {
    const out = path.join(dir, 'ids-small');
    const summary = await exportTranslationIds({ model: modelDir, out, overrides: { maxExamples: '100' } });
    expect(summary.train + summary.droppedOverMaxLength).toBe(100);
    expect(summary.valid).toBe(10);
  });

  it('takes a parley train run\'s saved options, replacing only what a flag names', () => {
    const run = path.join(dir, 'run');
    mkdirSync(path.join(run, 'training'), { recursive: true });
    const saved = { task: 'translate', preset: 'rnnsearch', corpora: [corpus], vocabSize: 700, batchTokens: 900, out: run, seed: 3, learningRate: 5e-4, validEvery: 50, checkpointEvery: 50, patience: 2, maxLength: 30, maxExamples: 50, contextTurns: 2, logEvery: 10, validLimit: 20 };
    writeFileSync(path.join(run, 'training/run.json'), JSON.stringify(saved));
    expect(runOptionsFor(run, null, {})).toEqual(saved);
    expect(runOptionsFor(run, null, { maxLength: '20', batchTokens: '1000' })).toEqual({ ...saved, maxLength: 20, batchTokens: 1000 });
    // Without a run.json: parley train's defaults over config.json's corpora and data seed.
    expect(runOptionsFor(modelDir, { task: 'translate', pipelineTask: 'translate', tokenizer: 'tokenizer.model', corpora: [corpus], dataSeed: 7 }, {})).toMatchObject({ corpora: [corpus], seed: 7, maxLength: 40, batchTokens: 1500, validLimit: 500 });
  });

  it('exports the test sentences parley eval decodes, and scores hypotheses as parley eval scores its own', async () => {
    const out = path.join(dir, 'ids-eval');
    await exportTranslationIds({ model: modelDir, out, limit: 7 });
    const test = rows(out, 'test') as TestRow[];
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/parley.js'), 'eval', '--model', modelDir, '--split', 'test', '--limit', '7'], { encoding: 'utf8', cwd: repoRoot });
    expect(r.status, r.stderr).toBe(0);
    const evaluated = JSON.parse(r.stdout);
    expect(evaluated.decoded).toBe(7);
    expect(test.length).toBe(7);
    expect(evaluated.samples.map((s: { input: string; reference: string }) => [s.input, s.reference])).toEqual(test.slice(0, 3).map((t) => [t.source, t.reference]));
    // The model's own greedy outputs on the exported sources, written as hypothesis ids: the same BLEU.
    const pipeline = await loadPipeline(modelDir);
    const runs = await pipeline.run(test.map((t) => t.source), defaultDecoding('translate'));
    pipeline.dispose();
    const file = path.join(dir, 'hyp-model.jsonl');
    writeFileSync(file, runs.map((x) => JSON.stringify({ ids: x.result.tokens })).join('\n'));
    const own = await scoreHypotheses(out, file);
    expect(own.precisions[0]).toBeGreaterThan(0);
    expect(own.bleu).toBe(evaluated.bleu);
    // Half the references as hypotheses, half another sentence: BLEU strictly between 0 and 1, as computed on the texts.
    const hyps = test.map((t, i) => (i % 2 === 0 ? t.reference : test[(i + 1) % test.length]!.reference));
    const mixed = path.join(dir, 'hyp-mixed.jsonl');
    writeFileSync(mixed, hyps.map((h) => JSON.stringify({ ids: tokenizer.encode(h) })).join('\n'));
    const scored = await scoreHypotheses(out, mixed);
    const expected = corpusBleu(hyps.map(spaceTokens), test.map((t) => spaceTokens(t.reference))).bleu;
    expect(scored.bleu).toBe(expected);
    expect(scored.bleu).toBeGreaterThan(0.2);
    expect(scored.bleu).toBeLessThan(1);
  });

  it('refuses a hypothesis file of the wrong length or with ids outside the vocabulary, naming the line', async () => {
    const out = path.join(dir, 'ids-eval');
    const short = path.join(dir, 'hyp-short.jsonl');
    writeFileSync(short, `${JSON.stringify({ ids: [5] })}\n`);
    await expect(scoreHypotheses(out, short)).rejects.toThrow(/1 hypotheses for 7 test sentences/);
    const bad = path.join(dir, 'hyp-bad.jsonl');
    writeFileSync(bad, `${JSON.stringify({ ids: [5] })}\n${JSON.stringify({ ids: [tokenizer.vocabSize] })}\n`);
    await expect(scoreHypotheses(out, bad)).rejects.toThrow(/hyp-bad.jsonl:2: "ids" must be a list of token ids below/);
  });
});
