import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, saveModel } from '../../../engine/checkpoint/model-dir.ts';
import { hasTrainingCheckpoint, loadTrainingCheckpoint, saveTrainingCheckpoint } from '../../../engine/checkpoint/training-state.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { makeBatch } from '../../../engine/training/batch.ts';
import { Trainer } from '../../../engine/training/trainer.ts';
import { tinyConfig } from '../../helpers/tiny.ts';
import { tempDir } from '../../helpers/tmp.ts';

const examples = [{ src: [4, 5, 6], tgt: [6, 5, 4] }, { src: [7, 8], tgt: [8, 7] }];

describe('model directories', () => {
  const root = tempDir();

  it('save → load gives identical logits', async () => {
    const model = new Seq2Seq(tinyConfig('nrm-hybrid'));
    const dir = path.join(root, 'a');
    await saveModel(dir, model, { task: 'chat' });
    const { model: loaded, meta } = loadModel(dir);
    expect(meta.task).toBe('chat');
    const batch = makeBatch(examples, model.config.specials, false);
    expect(Array.from(loaded.forward(batch, null).dataSync())).toEqual(Array.from(model.forward(batch, null).dataSync()));
  });

  it('refuses a corrupt weights file, naming it', async () => {
    const dir = path.join(root, 'b');
    await saveModel(dir, new Seq2Seq(tinyConfig('rnnsearch')));
    const bin = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    const bytes = readFileSync(path.join(dir, bin));
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(path.join(dir, bin), bytes);
    expect(() => loadModel(dir)).toThrow(new RegExp(`${bin}: checksum does not match`));
    writeFileSync(path.join(dir, bin), bytes.subarray(0, 100));
    expect(() => loadModel(dir)).toThrow(/100 bytes, but .*weights.json describes/);
  });

  it('refuses weights that do not fit the config, and configs that are invalid', async () => {
    const dir = path.join(root, 'c');
    await saveModel(dir, new Seq2Seq(tinyConfig('encdec')));
    const file = path.join(dir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.model.embedding = 10;
    writeFileSync(file, JSON.stringify(config));
    expect(() => loadModel(dir)).toThrow(/weights.json: does not fit config.json: parameter "embedding" has shape/);
    config.model.attention.kind = 'fancy';
    writeFileSync(file, JSON.stringify(config));
    expect(() => loadModel(dir)).toThrow(/config.json: invalid model config: attention.kind/);
    writeFileSync(file, '{"format":');
    expect(() => loadModel(dir)).toThrow(/config.json is not valid JSON/);
  });

  it('saves and loads per-side vocabularies: a source embedding of its own size, the softmax over the target', async () => {
    const dir = path.join(root, 'e');
    const model = new Seq2Seq({ ...tinyConfig('rnnsearch'), shareEmbeddings: false, sourceVocabSize: 20 });
    expect(model.srcEmbedding.table.shape).toEqual([20, 8]);
    expect(model.tgtEmbedding.table.shape).toEqual([12, 8]);
    await saveModel(dir, model);
    const { model: loaded } = loadModel(dir);
    expect(loaded.config.sourceVocabSize).toBe(20);
    const batch = makeBatch([{ src: [4, 19, 17], tgt: [6, 5, 4] }], model.config.specials, false);
    const logits = loaded.forward(batch, null);
    expect(logits.shape).toEqual([4, 12]);
    expect(Array.from(logits.dataSync())).toEqual(Array.from(model.forward(batch, null).dataSync()));
  });

  it('reads a config without sourceVocabSize as one joint vocabulary, and refuses a tied embedding over two sizes', async () => {
    const dir = path.join(root, 'f');
    await saveModel(dir, new Seq2Seq(tinyConfig('nrm-local')));
    const file = path.join(dir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    expect(config.model).not.toHaveProperty('sourceVocabSize');
    const { model: joint } = loadModel(dir);
    expect(joint.srcEmbedding).toBe(joint.tgtEmbedding);
    joint.dispose();
    writeFileSync(file, JSON.stringify({ ...config, model: { ...config.model, sourceVocabSize: 20 } }));
    expect(() => loadModel(dir)).toThrow(/sourceVocabSize: 20 source pieces against 12 target pieces cannot share one embedding \(shareEmbeddings must be false\)/);
    writeFileSync(file, JSON.stringify({ ...config, model: { ...config.model, sourceVocabSize: 3, shareEmbeddings: false } }));
    expect(() => loadModel(dir)).toThrow(/sourceVocabSize: Too small|sourceVocabSize: .*>=8/i);
  });

  it('keeps exactly one weights binary after repeated saves', async () => {
    const dir = path.join(root, 'd');
    const model = new Seq2Seq(tinyConfig('nrm-local'));
    await saveModel(dir, model);
    model.params.get('readout/b_out').assign(tf.ones([12]));
    await saveModel(dir, model);
    expect(readdirSync(dir).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    expect(Array.from(loadModel(dir).model.params.get('readout/b_out').dataSync())).toEqual(new Array(12).fill(1));
  });
});

describe('training checkpoints', () => {
  const root = tempDir();

  it('resuming continues exactly as an uninterrupted run (parameters, Adam moments, dropout RNG)', async () => {
    const config = tinyConfig('seq2seq-lstm', { dropout: 0.2 });
    const batch = makeBatch(examples, config.specials, config.reverseSource);
    const straight = new Trainer(new Seq2Seq(config), { learningRate: 0.01, seed: 3 });
    const losses = Array.from({ length: 6 }, () => straight.trainStep(batch).loss);

    const first = new Trainer(new Seq2Seq(config), { learningRate: 0.01, seed: 3 });
    for (let i = 0; i < 3; i++) first.trainStep(batch);
    await saveTrainingCheckpoint(root, first, { epoch: 0, position: 3 });
    expect(hasTrainingCheckpoint(root)).toBe(true);

    const resumed = new Trainer(new Seq2Seq(config), { learningRate: 0.01, seed: 99 });
    const { step, data } = loadTrainingCheckpoint<{ position: number }>(root, resumed);
    expect(step).toBe(3);
    expect(data.position).toBe(3);
    const rest = Array.from({ length: 3 }, () => resumed.trainStep(batch).loss);
    expect(rest).toEqual(losses.slice(3));
  });
});
