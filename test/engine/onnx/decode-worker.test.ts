// Decoding in a worker thread gives the results of decoding in this thread, and reports failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../../engine/checkpoint/model-dir.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { decode } from '../../../engine/decoding/decode.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { OrtDecodeWorker } from '../../../engine/onnx/decode-worker.ts';
import { buildOnnxGraphs } from '../../../engine/onnx/export-graphs.ts';
import { OrtStepModel } from '../../../engine/onnx/ort-step-model.ts';
import { tinyConfig } from '../../helpers/tiny.ts';

describe('OrtDecodeWorker', () => {
  const model = new Seq2Seq(tinyConfig('rnnsearch'));
  const graphs = buildOnnxGraphs(model);
  let worker: OrtDecodeWorker;

  beforeAll(async () => {
    worker = await OrtDecodeWorker.start({ source: { graphs, specials: model.config.specials }, session: {}, scheduler: { maxQueue: 16 } });
  });
  afterAll(async () => {
    await worker.close();
    model.dispose();
  });

  it('decodes concurrent requests like an OrtStepModel in this thread', async () => {
    const requests = [
      { source: [4, 5, 6], options: { strategy: 'beam', beamSize: 3, maxLength: 7 } },
      { source: [9, 10, 11, 4], options: { strategy: 'greedy', maxLength: 5 } },
    ];
    const local = await OrtStepModel.create(graphs, model.config.specials);
    const expected = await decode(local, requests);
    const got = await Promise.all(requests.map((r) => worker.submit(r)));
    expect(got.map((r) => r.tokens)).toEqual(expected.map((r) => r.tokens));
    expect(got.map((r) => r.score)).toEqual(expected.map((r) => r.score));
    await local.dispose();
  });

  it('forwards partial hypotheses', async () => {
    const partials: number[] = [];
    await worker.submit({ source: [4, 5], options: { strategy: 'greedy', minLength: 4, maxLength: 4 }, onPartial: (p) => partials.push(p.step) });
    expect(partials.length).toBeGreaterThan(0);
  });

  it('rejects invalid options with the validation message', async () => {
    await expect(worker.submit({ source: [4], options: { strategy: 'beam', beamSize: 0 } })).rejects.toThrow(/beamSize/);
  });
});

describe('OrtDecodeWorker on a model directory', () => {
  it('fails to start, naming OnnxExportError, when the directory has no export', async () => {
    const dir = tempDir();
    const model = new Seq2Seq(tinyConfig('nrm-global'));
    await saveModel(dir, model);
    model.dispose();
    await expect(OrtDecodeWorker.start({ source: { modelDir: dir }, session: {}, scheduler: {} })).rejects.toMatchObject({ name: 'OnnxExportError' });
  });
});

describe('OrtDecodeWorker whose thread dies', () => {
  it('fails the requests in flight and later ones instead of leaving them pending, and still closes', async () => {
    const model = new Seq2Seq(tinyConfig('rnnsearch'));
    const worker = await OrtDecodeWorker.start({ source: { graphs: buildOnnxGraphs(model), specials: model.config.specials }, session: {}, scheduler: {} });
    model.dispose();
    const inFlight = worker.submit({ source: [4, 5, 6], options: { strategy: 'beam', beamSize: 4, minLength: 500, maxLength: 500 } });
    // The thread ends without a 'closed' reply, as it would after a native crash or an uncaught error.
    await worker['worker'].terminate();
    await expect(inFlight).rejects.toThrow(/exited/);
    await expect(worker.submit({ source: [4], options: { strategy: 'greedy' } })).rejects.toThrow(/exited/);
    await worker.close();
  });
});
