// tfjs and ONNX Runtime decode the same weights identically: per-step log-probabilities within 1e-5,
// attention weights, and greedy / beam results, for every preset and the options that change the graphs.
import { describe, expect, it } from 'vitest';
import { modelConfig, presets, type ModelConfig, type ModelConfigOverrides, type Preset } from '../../../engine/config.ts';
import { decode } from '../../../engine/decoding/decode.ts';
import type { StepModel } from '../../../engine/decoding/step-model.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { TfjsStepModel } from '../../../engine/models/tfjs-step-model.ts';
import { buildOnnxGraphs } from '../../../engine/onnx/export-graphs.ts';
import { OrtStepModel } from '../../../engine/onnx/ort-step-model.ts';
import { tinyConfig } from '../../helpers/tiny.ts';

const sources = [[4, 5, 6, 7, 8], [9, 10], [5, 4, 11, 6]];
/** Ids only a source vocabulary of 20 holds. */
const wideSources = [[4, 19, 6, 17, 8], [18, 10], [5, 16, 11, 6]];

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Step both models with the same tokens; compare log-probs and attention at every step. */
async function compareSteps<A, B>(tfjs: StepModel<A>, ort: StepModel<B>, steps: number[][], encode: (m: StepModel<unknown>) => Promise<unknown>): Promise<void> {
  let sa = (await encode(tfjs as StepModel<unknown>)) as A;
  let sb = (await encode(ort as StepModel<unknown>)) as B;
  expect(ort.sourceLengths(sb)).toEqual(tfjs.sourceLengths(sa));
  for (const tokens of steps) {
    const prev = Int32Array.from(tokens);
    const [oa, ob] = [await tfjs.step(prev, sa), await ort.step(prev, sb)];
    expect(maxDiff(oa.logProbs, ob.logProbs)).toBeLessThan(1e-5);
    if (oa.attention || ob.attention) expect(maxDiff(oa.attention!, ob.attention!)).toBeLessThan(1e-5);
    tfjs.release(sa);
    ort.release(sb);
    sa = oa.state;
    sb = ob.state;
  }
  tfjs.release(sa);
  ort.release(sb);
}

async function pair(config: ModelConfig): Promise<{ tfjs: TfjsStepModel; ort: OrtStepModel; model: Seq2Seq }> {
  const model = new Seq2Seq(config);
  const ort = await OrtStepModel.create(buildOnnxGraphs(model), config.specials);
  return { tfjs: new TfjsStepModel(model), ort, model };
}

const steps = (b: number) => [new Array(b).fill(2), [4, 7, 9].slice(0, b), [11, 3, 5].slice(0, b), [6, 6, 6].slice(0, b)];

const variants: [string, Preset, ModelConfigOverrides][] = [
  ['lstm peephole, 2 layers, reversed', 'seq2seq-lstm', { encoder: { peephole: true }, decoder: { peephole: true } }],
  ['bidirectional 2-layer LSTM, bridge, dot attention', 'nrm-local', { encoder: { cell: 'lstm', layers: 2, bidirectional: true, hidden: 4 }, decoder: { cell: 'lstm', layers: 2, hidden: 8 }, attention: { kind: 'dot', dim: 8 } }],
  ['general attention, zeros init, maxout, separate embeddings', 'rnnsearch', { attention: { kind: 'general', dim: 8 }, decoder: { init: 'zeros' }, shareEmbeddings: false }],
  ['no context, copy init, reversed', 'nrm-global', { context: 'none', decoder: { init: 'copy' }, reverseSource: true }],
  ['maxout readout of twice the decoder width (parley train\'s default)', 'rnnsearch', { readout: { kind: 'maxout', dim: 32 } }],
  ['tanh readout wider than the decoder', 'rnnsearch', { readout: { kind: 'tanh', dim: 24 } }],
  ['per-side vocabularies: 20 source pieces, 12 target', 'rnnsearch', { shareEmbeddings: false, sourceVocabSize: 20 }],
];

describe.each(presets)('preset %s', (preset) => {
  it('gives the same log-probabilities and attention on a padded batch', async () => {
    const { tfjs, ort, model } = await pair(tinyConfig(preset));
    await compareSteps(tfjs, ort, steps(3), (m) => m.encode(sources));
    await compareSteps(tfjs, ort, steps(2), (m) => m.encodeUnconditional!(2));
    await ort.dispose();
    model.dispose();
  });

  it('decodes the same greedy and beam results', async () => {
    const { tfjs, ort, model } = await pair(tinyConfig(preset));
    for (const options of [{ strategy: 'greedy', maxLength: 8 }, { strategy: 'beam', beamSize: 4, nBest: 3, returnNBest: true, maxLength: 8 }]) {
      const requests = sources.map((source) => ({ source, options }));
      const [a, b] = [await decode(tfjs, requests), await decode(ort, requests)];
      a.forEach((r, i) => {
        expect(b[i]!.tokens).toEqual(r.tokens);
        expect(b[i]!.score).toBeCloseTo(r.score, 4);
        expect(b[i]!.nBest?.map((h) => h.tokens)).toEqual(r.nBest?.map((h) => h.tokens));
      });
    }
    await ort.dispose();
    model.dispose();
  });
});

describe.each(variants)('%s', (_name, preset, overrides) => {
  it('gives the same log-probabilities on a padded batch', async () => {
    const base = tinyConfig(preset);
    const config = modelConfig(preset, { ...base, ...overrides, encoder: { ...base.encoder, ...overrides.encoder }, decoder: { ...base.decoder, ...overrides.decoder }, attention: { ...base.attention, ...overrides.attention } });
    const { tfjs, ort, model } = await pair(config);
    await compareSteps(tfjs, ort, steps(3), (m) => m.encode(config.sourceVocabSize ? wideSources : sources));
    await compareSteps(tfjs, ort, steps(2), (m) => m.encodeUnconditional!(2));
    await ort.dispose();
    model.dispose();
  });
});

describe('reorder and concat', () => {
  it('match tfjs when rows repeat and batches of different source lengths join', async () => {
    const { tfjs, ort, model } = await pair(tinyConfig('seq2seq-lstm'));
    const join = async <S>(m: StepModel<S>) => {
      const a = await m.encode([[4, 5, 6, 7, 8, 9]]);
      const b = await m.encode([[10, 11], [6]]);
      const ra = m.reorder(a, [0, 0]);
      const joined = m.concat([ra, b]);
      for (const s of [a, b, ra]) m.release(s);
      return m.reorder(joined, [3, 0, 2, 2]);
    };
    await compareSteps(tfjs, ort, [[2, 2, 2, 2], [5, 6, 7, 8], [9, 9, 3, 4]], (m) => join(m));
    await ort.dispose();
    model.dispose();
  });
});
