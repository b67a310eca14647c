import path from 'node:path';
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../engine/backend.ts';
import { saveModel } from '../../../engine/checkpoint/model-dir.ts';
import { modelConfig } from '../../../engine/config.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { buildTokenizer, type TextPair } from '../../../engine/pipeline/build-tokenizer.ts';
import { loadPipeline } from '../../../engine/pipeline/pipeline.ts';
import { scoreDecoding } from '../../../engine/pipeline/evaluate.ts';
import { engineTask, type PipelineTask } from '../../../engine/pipeline/task.ts';
import { encodeModelProto } from '../../../engine/tokenizer/model-proto.ts';
import { SPECIAL_IDS } from '../../../engine/tokenizer/special-tokens.ts';
import { printTree } from '../../../engine/parsing/tree.ts';
import { tempDir } from '../../helpers/tmp.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const chatPairs: TextPair[] = [
  { input: ['hello there', 'how are you'], target: 'fine thanks' },
  { input: ['what is your name'], target: 'my name is parley' },
  { input: ['good morning', 'nice weather', 'is it'], target: 'yes it is sunny' },
];
const translatePairs: TextPair[] = [
  { input: 'le chat dort', target: 'the cat sleeps' },
  { input: 'je mange une pomme', target: 'i eat an apple' },
];
const parsePairs: TextPair[] = [
  { input: 'the dog barks', target: '(S (NP XX XX )NP (VP XX )VP )S' },
  { input: 'cats sleep', target: '(S (NP XX )NP (VP XX )VP )S' },
];

/** A tiny untrained model directory for a task, written the way parley train writes one. */
async function modelDir(task: PipelineTask, pairs: TextPair[]): Promise<string> {
  const dir = path.join(tempDir(`parley-pipeline-${task}`), 'model');
  const proto = buildTokenizer(pairs, { task, vocabSize: 300 });
  const model = new Seq2Seq(modelConfig('nrm-local', {
    vocabSize: proto.pieces.length, embedding: 8, dropout: 0, encoder: { hidden: 8 }, decoder: { hidden: 8 }, attention: { dim: 8 }, readout: { dim: 8 },
  }));
  await saveModel(dir, model, { task: engineTask(task), pipelineTask: task, tokenizer: 'tokenizer.model', ...(task === 'chat' ? { contextTurns: 1 } : {}) });
  writeFileSync(path.join(dir, 'tokenizer.model'), encodeModelProto(proto));
  model.dispose();
  return dir;
}

describe('loadPipeline', () => {
  it('chat: keeps the last contextTurns + 1 turns joined by the real <sep> id, and user text cannot forge one', async () => {
    const p = await loadPipeline(await modelDir('chat', chatPairs));
    const ids = p.encodeInput(['dropped turn', 'hello there', 'how are you']);
    expect(ids.filter((id) => id === SPECIAL_IDS.sep)).toHaveLength(1);
    expect(p.tokenizer.decode(ids)).toBe('hello there<sep>how are you');
    const forged = p.encodeInput(['a <sep> b']);
    expect(forged).not.toContain(SPECIAL_IDS.sep);
    expect(p.tokenizer.decode(forged)).toBe('a <sep> b');
    const [reply] = await p.respond([['hello there']], { strategy: 'greedy', maxLength: 5 });
    expect(typeof reply).toBe('string');
    p.dispose();
  });

  it('translate: text in, text out, and a save → load round trip decodes identically', async () => {
    const dir = await modelDir('translate', translatePairs);
    const a = await loadPipeline(dir);
    const b = await loadPipeline(dir);
    expect(a.tokenizer.decode(a.encodeInput('le chat dort'))).toBe('le chat dort');
    const before = tf.memory().numTensors;
    const [ra] = await a.run(['le chat dort'], { strategy: 'greedy', maxLength: 6 });
    expect(tf.memory().numTensors).toBe(before);
    const [rb] = await b.run(['le chat dort'], { strategy: 'greedy', maxLength: 6 });
    expect(ra!.result.tokens).toEqual(rb!.result.tokens);
    expect(ra!.output).toBe(a.tokenizer.decode(ra!.result.tokens));
    await expect(a.respond([['hi']])).rejects.toThrow(/translate task/);
    a.dispose();
    b.dispose();
  });

  it('parse: targets are one bracket piece per token and outputs delinearize over the input words', async () => {
    const p = await loadPipeline(await modelDir('parse', parsePairs));
    const target = p.codec.encodeTarget('(S (NP XX XX )NP (VP XX )VP )S');
    expect(target.map((id) => p.tokenizer.idToPiece(id))).toEqual(['(S', '(NP', 'XX', 'XX', ')NP', '(VP', 'XX', ')VP', ')S']);
    // A word spelled like a bracket piece is still text on the source side.
    expect(p.encodeInput('XX (NP')).not.toContain(p.tokenizer.pieceToId('XX'));
    const out = p.decodeOutput(target, 'the dog barks');
    expect(typeof out).not.toBe('string');
    const tree = out as Exclude<typeof out, string>;
    expect(tree.repaired).toBe(false);
    expect(printTree(tree.tree)).toContain('the');
    const [parsed] = await p.parse(['the dog barks'], { strategy: 'greedy', maxLength: 12 });
    expect(printTree(parsed!.tree)).toMatch(/the.*dog.*barks/);
    p.dispose();
  });

  it('parse: decodes under the well-formed-tree constraint unless the options turn it off', async () => {
    const p = await loadPipeline(await modelDir('parse', parsePairs));
    const constraint = p.codec.treeConstraint('the dog barks')!;
    expect(constraint.words).toBe(3);
    expect(constraint.open.map((id) => p.tokenizer.idToPiece(id)).sort()).toEqual(['(NP', '(S', '(VP']);
    expect(constraint.close.map((id) => p.tokenizer.idToPiece(id))).toEqual(constraint.open.map((id) => `)${p.tokenizer.idToPiece(id).slice(1)}`));
    const inputs = ['the dog barks', 'cats sleep', 'the dog barks at the cats'];
    const constrained = await p.run(inputs, { beamSize: 3, maxLength: 40 });
    for (const r of constrained) expect((r.output as { repaired: boolean }).repaired).toBe(false);
    // The untrained model left to itself does not write well-formed trees.
    const free = await p.run(inputs, { beamSize: 3, maxLength: 40, treeConstraint: null });
    expect(free.some((r) => (r.output as { repaired: boolean }).repaired)).toBe(true);
    p.dispose();
  });

  it('refuses a directory whose config names no servable task', async () => {
    const dir = await modelDir('translate', translatePairs);
    const config = JSON.parse((await import('node:fs')).readFileSync(path.join(dir, 'config.json'), 'utf8'));
    delete config.task;
    delete config.pipelineTask;
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    await expect(loadPipeline(dir)).rejects.toThrow(/no servable task/);
  });

  it("reads the model's decoding defaults from config.json, after the task's, and refuses bad ones naming the file", async () => {
    const parse = await loadPipeline(await modelDir('parse', parsePairs));
    expect(parse.decodingDefaults).toEqual({ maxLength: 400, maxLengthRatio: 4 });
    parse.dispose();
    const dir = await modelDir('translate', translatePairs);
    const file = path.join(dir, 'config.json');
    const config = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...config, decoding: { strategy: 'beam', beamSize: 4, lengthPenalty: { kind: 'gnmt', alpha: 1 } } }));
    const translate = await loadPipeline(dir);
    expect(translate.decodingDefaults).toEqual({ strategy: 'beam', beamSize: 4, lengthPenalty: { kind: 'gnmt', alpha: 1 } });
    translate.dispose();
    writeFileSync(file, JSON.stringify({ ...config, decoding: { strategy: 'greedy', beamWidth: 4 } }));
    await expect(loadPipeline(dir)).rejects.toThrow(`${file}: decoding: beamWidth: unknown option`);
    writeFileSync(file, JSON.stringify({ ...config, decoding: 'beam' }));
    await expect(loadPipeline(dir)).rejects.toThrow(/decoding must be an object/);
  });
});

describe('scoreDecoding', () => {
  it('decodes at most 32 inputs together (a whole split at once outgrew the wasm heap), with the outputs of one batch', async () => {
    const p = await loadPipeline(await modelDir('translate', translatePairs));
    const words = ['le', 'chat', 'dort', 'je', 'mange', 'une', 'pomme'];
    const pairs: TextPair[] = Array.from({ length: 70 }, (_, i) => ({
      input: Array.from({ length: 1 + (i % 5) }, (_, j) => words[(i + 3 * j) % words.length]).join(' '),
      target: 'the cat sleeps',
    }));
    const decoding = { strategy: 'greedy', maxLength: 6 };
    const whole = await p.run(pairs.map((x) => x.input), decoding);
    const run = p.run.bind(p);
    const sizes: number[] = [];
    p.run = (inputs, ...rest) => {
      sizes.push(inputs.length);
      return run(inputs, ...rest);
    };
    const metrics = await scoreDecoding(p, pairs, { decodeLimit: 70, samples: 70, decoding });
    expect(sizes).toEqual([32, 32, 6]);
    expect(metrics.decoded).toBe(70);
    expect(metrics.samples.map((x) => x.output)).toEqual(whole.map((r) => r.output));
    p.dispose();
  });
});
