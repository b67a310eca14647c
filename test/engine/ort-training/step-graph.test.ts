// The ONNX Runtime training step against the tfjs engine on a fixed, padded batch: the same loss and
// the same gradient for every parameter, for each GRU preset the step graph builds.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { ModelConfig, Preset } from '../../../engine/config.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { OrtTrainer } from '../../../engine/ort-training/ort-trainer.ts';
import { makeStepBatch } from '../../../engine/ort-training/step-batch.ts';
import { makeBatch, type Example } from '../../../engine/training/batch.ts';
import { expectClose } from '../../helpers/close.ts';
import { tinyConfig } from '../../helpers/tiny.ts';

const examples: Example[] = [
  { src: [4, 5, 6, 7], tgt: [7, 6, 5] },
  { src: [8, 9], tgt: [9, 8, 10, 11] },
  { src: [5], tgt: [5] },
];

function tfjsGradients(model: Seq2Seq, labelSmoothing: number) {
  const batch = makeBatch(examples, model.config.specials, model.config.reverseSource);
  const names = model.params.names();
  const { value, grads } = tf.variableGrads(() => model.loss(batch, null, labelSmoothing), names.map((n) => model.params.get(n)));
  const byName = new Map(names.map((n) => [n, grads[model.params.get(n).name]!.dataSync() as Float32Array]));
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  batch.dispose();
  return { loss, grads: byName };
}

const presets: Preset[] = ['rnnsearch', 'nrm-global', 'nrm-local', 'nrm-hybrid', 'encdec', 'seq2seq-lstm'];

/** Every preset, and seq2seq-lstm's variants: peepholes, additive and dot attention (2 layers, reversed source). */
const variants: [string, ModelConfig][] = [
  ...presets.map((p) => [p, tinyConfig(p, { vocabSize: 16 })] as [string, ModelConfig]),
  ['seq2seq-lstm + peepholes', peephole(tinyConfig('seq2seq-lstm', { vocabSize: 16 }))],
  ['seq2seq-lstm + additive attention', { ...tinyConfig('seq2seq-lstm', { vocabSize: 16 }), attention: { kind: 'additive', dim: 8 } }],
  ['seq2seq-lstm + dot attention', { ...tinyConfig('seq2seq-lstm', { vocabSize: 16 }), attention: { kind: 'dot', dim: 8 } }],
  // parley train's readouts: as wide as the decoder after pooling, or set on their own.
  ['rnnsearch + maxout readout twice the decoder width', { ...tinyConfig('rnnsearch', { vocabSize: 16 }), readout: { kind: 'maxout', dim: 32 } }],
  ['rnnsearch + tanh readout wider than the decoder', { ...tinyConfig('rnnsearch', { vocabSize: 16 }), readout: { kind: 'tanh', dim: 24 } }],
  ['rnnsearch + per-side vocabularies (24 source, 16 target)', { ...tinyConfig('rnnsearch', { vocabSize: 16 }), shareEmbeddings: false, sourceVocabSize: 24 }],
];

function peephole(c: ModelConfig): ModelConfig {
  return { ...c, encoder: { ...c.encoder, peephole: true }, decoder: { ...c.decoder, peephole: true } };
}

describe.each(variants)('ORT training step, %s', (_name, config) => {
  it('gives the tfjs engine loss and gradients on a padded batch', async () => {
    const model = new Seq2Seq(config);
    const expected = tfjsGradients(model, 0);
    const trainer = OrtTrainer.fromModel(model, { threads: 1 });
    const got = await trainer.gradients(makeStepBatch(examples, model.config.specials, model.config.reverseSource));
    expect(got.loss).toBeCloseTo(expected.loss, 5);
    for (const [name, g] of expected.grads) {
      expect(Math.max(...Array.from(g, Math.abs)), `${name} has a gradient`).toBeGreaterThan(0);
      try {
        expectClose(got.grads.get(name)!, g, 1e-4, 1e-6);
      } catch (e) {
        throw new Error(`${name}: ${(e as Error).message}`);
      }
    }
    await trainer.dispose();
    model.dispose();
  });
});

describe('ORT training step options', () => {
  it('applies label smoothing as the tfjs loss does', async () => {
    const model = new Seq2Seq(tinyConfig('rnnsearch', { vocabSize: 16 }));
    const expected = tfjsGradients(model, 0.1);
    const trainer = OrtTrainer.fromModel(model, { threads: 1, labelSmoothing: 0.1 });
    const got = await trainer.gradients(makeStepBatch(examples, model.config.specials, model.config.reverseSource));
    expect(got.loss).toBeCloseTo(expected.loss, 5);
    expectClose(got.grads.get('readout/w_out')!, expected.grads.get('readout/w_out')!, 1e-4, 1e-6);
    await trainer.dispose();
    model.dispose();
  });

  it('gives the same loss and gradients for a batch padded up to a coarser bucket', async () => {
    const model = new Seq2Seq(tinyConfig('rnnsearch', { vocabSize: 16 }));
    const trainer = OrtTrainer.fromModel(model, { threads: 1 });
    const { specials } = model.config;
    const exact = makeStepBatch(examples, specials, false);
    const padded = makeStepBatch(examples, specials, false, { batch: 8, length: 4 });
    expect(padded.bucket).toEqual({ batch: 8, srcLen: 8, tgtLen: 8 });
    expect(exact.bucket).toEqual({ batch: 3, srcLen: 5, tgtLen: 5 });
    const a = await trainer.gradients(exact);
    const b = await trainer.gradients(padded);
    expect(b.loss).toBeCloseTo(a.loss, 6);
    for (const [name, g] of a.grads) expectClose(b.grads.get(name)!, g, 1e-5, 1e-7);
    await trainer.dispose();
    model.dispose();
  });
});

describe('ORT training step, batch size free or fixed', () => {
  const lstm = (init: 'copy' | 'zeros' | 'bridge'): ModelConfig => {
    const c = tinyConfig('seq2seq-lstm', { vocabSize: 16 });
    return { ...c, decoder: { ...c.decoder, init } };
  };
  // The initial states are the batch-sized values a free batch changes: zeros shaped at run time.
  const configs: [string, ModelConfig][] = [
    ['rnnsearch', tinyConfig('rnnsearch', { vocabSize: 16 })],
    ['seq2seq-lstm, zero initial decoder state', lstm('zeros')],
    ['seq2seq-lstm, bridged initial state', lstm('bridge')],
  ];

  it.each(configs)('%s: one session serves batches of different sizes, each with the tfjs gradients; a fixed-batch graph agrees', async (_name, config) => {
    const model = new Seq2Seq(config);
    const free = OrtTrainer.fromModel(model, { threads: 1 });
    const fixed = OrtTrainer.fromModel(model, { threads: 1, dynamicBatch: false });
    const { specials, reverseSource } = model.config;
    const grid = { batch: 1, length: 8 }; // both batches fall into one (8, 8) length bucket
    const three = makeStepBatch(examples, specials, reverseSource, grid);
    const two = makeStepBatch(examples.slice(0, 2), specials, reverseSource, grid);
    expect([three.bucket.batch, two.bucket.batch]).toEqual([3, 2]);
    const expected = tfjsGradients(model, 0);
    const got = await free.gradients(three);
    expect(got.loss).toBeCloseTo(expected.loss, 5);
    for (const [name, g] of expected.grads) expectClose(got.grads.get(name)!, g, 1e-4, 1e-6);
    const small = await free.gradients(two);
    const smallFixed = await fixed.gradients(two);
    expect(small.loss).toBeCloseTo(smallFixed.loss, 6);
    expect(small.loss).not.toBeCloseTo(got.loss, 3); // a different batch, really run
    for (const [name, g] of smallFixed.grads) expectClose(small.grads.get(name)!, g, 1e-5, 1e-7);
    expect(free.stats.sessions).toBe(1);
    expect(fixed.stats.sessions).toBe(1);
    await free.dispose();
    await fixed.dispose();
    model.dispose();
  });
});
