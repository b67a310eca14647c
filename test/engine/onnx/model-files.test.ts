// The export in a model directory: written beside the weights, loaded back into the same decodes,
// and refused (so callers fall back to tfjs) when missing, stale or damaged.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveModel } from '../../../engine/checkpoint/model-dir.ts';
import { decode } from '../../../engine/decoding/decode.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { TfjsStepModel } from '../../../engine/models/tfjs-step-model.ts';
import { exportOnnx, loadOrtStepModel, OnnxExportError } from '../../../engine/onnx/model-files.ts';
import { run as exportCommand } from '../../../cli/onnx-export.ts';
import { loadStepModel } from '../../../engine/onnx/load-step-model.ts';
import { tinyConfig } from '../../helpers/tiny.ts';
import { tempDir } from '../../helpers/tmp.ts';

const requests = [{ source: [4, 5, 6], options: { strategy: 'beam', beamSize: 3, maxLength: 6 } }];

describe('ONNX files in a model directory', () => {
  it('writes encoder.onnx, decoder.onnx and onnx.json that decode like the tfjs model', async () => {
    const dir = tempDir();
    const model = new Seq2Seq(tinyConfig('nrm-hybrid'));
    await saveModel(dir, model);
    const manifest = exportOnnx(dir);
    for (const f of ['encoder.onnx', 'decoder.onnx', 'onnx.json']) expect(existsSync(path.join(dir, f))).toBe(true);
    expect(manifest.io.decoder.outputs).toContain('logprobs');
    const weights = JSON.parse(readFileSync(path.join(dir, 'weights.json'), 'utf8')) as { sha256: string };
    expect(manifest.weightsSha256).toBe(weights.sha256);
    const ort = await loadOrtStepModel(dir);
    const [a, b] = [await decode(new TfjsStepModel(model), requests), await decode(ort, requests)];
    expect(b[0]!.tokens).toEqual(a[0]!.tokens);
    await ort.dispose();
    model.dispose();
  });

  it('refuses a missing export, a stale one and a damaged graph', async () => {
    const dir = tempDir();
    const model = new Seq2Seq(tinyConfig('nrm-local'));
    await saveModel(dir, model);
    await expect(loadOrtStepModel(dir)).rejects.toThrow(/no ONNX export/);
    expect(await exportCommand(['--model', dir])).toBe(0);
    await (await loadOrtStepModel(dir)).dispose();
    const retrained = new Seq2Seq({ ...tinyConfig('nrm-local'), seed: 7 });
    await saveModel(dir, retrained);
    await expect(loadOrtStepModel(dir)).rejects.toThrow(OnnxExportError);
    await expect(loadOrtStepModel(dir)).rejects.toThrow(/stale export/);
    exportOnnx(dir);
    writeFileSync(path.join(dir, 'decoder.onnx'), new Uint8Array([1, 2, 3]));
    await expect(loadOrtStepModel(dir)).rejects.toThrow(/checksum/);
    model.dispose();
    retrained.dispose();
  });

  it('refuses an export command without --model', async () => {
    expect(await exportCommand([])).toBe(2);
  });
});

describe('loadStepModel', () => {
  it('uses ONNX Runtime for a current export and falls back to tfjs, saying why, otherwise', async () => {
    const dir = tempDir();
    const model = new Seq2Seq(tinyConfig('encdec'));
    await saveModel(dir, model);
    model.dispose();
    const before = await loadStepModel(dir);
    expect(before.engine).toBe('tfjs');
    expect(before.fallbackReason).toMatch(/no ONNX export/);
    await expect(loadStepModel(dir, { engine: 'onnxruntime' })).rejects.toThrow(OnnxExportError);
    exportOnnx(dir);
    const after = await loadStepModel(dir);
    expect(after.engine).toBe('onnxruntime');
    const [a, b] = [await decode(before.model, requests), await decode(after.model, requests)];
    expect(b[0]!.tokens).toEqual(a[0]!.tokens);
    await before.dispose();
    await after.dispose();
  });
});
