// ONNX files in a model directory: encoder.onnx, decoder.onnx and onnx.json (opset, graph io, and the
// checksum of the weights they were built from, so that a stale export is refused rather than served).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../checkpoint/atomic.ts';
import { loadModel, readJson, readModelConfig } from '../checkpoint/model-dir.ts';
import type { WeightsManifest } from '../checkpoint/weights.ts';
import type { Seq2Seq } from '../models/seq2seq.ts';
import { buildOnnxGraphs, type OnnxGraphs, type OnnxModelSpec } from './export-graphs.ts';
import { OPSET } from './graph.ts';
import { OrtStepModel, type OrtSessionOptions } from './ort-step-model.ts';

export const ONNX_FORMAT = 'parley-onnx';
export const ONNX_FORMAT_VERSION = 1;

export interface OnnxManifest {
  format: typeof ONNX_FORMAT;
  formatVersion: number;
  opset: number;
  /** sha256 of the weights binary (weights.json's `sha256`) the graphs were built from. */
  weightsSha256: string;
  /** sha256 of config.json's model config, as JSON. */
  configSha256: string;
  files: { encoder: string; decoder: string };
  /** sha256 of each graph file. */
  sha256: { encoder: string; decoder: string };
  io: { encoder: { inputs: string[]; outputs: string[] }; decoder: { inputs: string[]; outputs: string[] } };
  spec: OnnxModelSpec;
}

/** The export is missing, stale or damaged: callers fall back to tfjs. */
export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

function weightsSha256(dir: string): string {
  return (readJson(path.join(dir, 'weights.json')) as WeightsManifest).sha256;
}

function configSha256(dir: string): string {
  return sha256(JSON.stringify(readModelConfig(dir).config));
}

function ioNames(spec: OnnxModelSpec): OnnxManifest['io'] {
  const memory = [...(spec.keyWidth ? ['keys'] : []), ...(spec.projWidth ? ['proj'] : []), ...(spec.globalWidth ? ['global'] : [])];
  return {
    encoder: { inputs: ['src', 'lengths'], outputs: [...memory, ...spec.encodedStates] },
    decoder: {
      inputs: ['tokens', ...spec.stateNames, ...memory, ...(spec.keyWidth ? ['mask'] : [])],
      outputs: [...spec.stateNames.map((n) => `${n}_out`), 'logprobs', ...(spec.keyWidth ? ['weights'] : [])],
    },
  };
}

/** Write the graphs of `model` (whose weights are the ones saved in `dir`) into `dir`. */
export function writeOnnxFiles(dir: string, model: Seq2Seq): OnnxManifest {
  const graphs = buildOnnxGraphs(model);
  const files = { encoder: 'encoder.onnx', decoder: 'decoder.onnx' };
  writeFileAtomic(path.join(dir, files.encoder), graphs.encoder);
  writeFileAtomic(path.join(dir, files.decoder), graphs.decoder);
  const manifest: OnnxManifest = {
    format: ONNX_FORMAT,
    formatVersion: ONNX_FORMAT_VERSION,
    opset: OPSET,
    weightsSha256: weightsSha256(dir),
    configSha256: configSha256(dir),
    files,
    sha256: { encoder: sha256(graphs.encoder), decoder: sha256(graphs.decoder) },
    io: ioNames(graphs.spec),
    spec: graphs.spec,
  };
  // Written last: a manifest only ever describes complete graph files.
  writeFileAtomic(path.join(dir, 'onnx.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Load the saved model in `dir` and export it (`parley export`). */
export function exportOnnx(dir: string): OnnxManifest {
  const { model } = loadModel(dir);
  try {
    return writeOnnxFiles(dir, model);
  } finally {
    model.dispose();
  }
}

/** Read and check the export in `dir` against the model's current weights and config. */
export function readOnnxGraphs(dir: string): OnnxGraphs {
  const file = path.join(dir, 'onnx.json');
  if (!existsSync(file)) throw new OnnxExportError(`${dir}: no ONNX export (run \`parley export --model ${dir}\`)`);
  const m = readJson(file) as Partial<OnnxManifest>;
  if (m.format !== ONNX_FORMAT || m.formatVersion !== ONNX_FORMAT_VERSION) {
    throw new OnnxExportError(`${file}: not a Parley ONNX export of format version ${ONNX_FORMAT_VERSION}; export again`);
  }
  if (m.weightsSha256 !== weightsSha256(dir) || m.configSha256 !== configSha256(dir)) {
    throw new OnnxExportError(`${file}: stale export (the model's weights or config changed since); run \`parley export --model ${dir}\``);
  }
  const read = (part: 'encoder' | 'decoder') => {
    const f = path.join(dir, path.basename(m.files![part]));
    if (!existsSync(f)) throw new OnnxExportError(`${f} is missing; export again`);
    const bytes = new Uint8Array(readFileSync(f));
    if (sha256(bytes) !== m.sha256![part]) throw new OnnxExportError(`${f}: checksum does not match ${file}; export again`);
    return bytes;
  };
  return { encoder: read('encoder'), decoder: read('decoder'), spec: m.spec! };
}

/** An ONNX Runtime StepModel for the model in `dir`; throws OnnxExportError when the export is unusable. */
export async function loadOrtStepModel(dir: string, options: Partial<OrtSessionOptions> = {}): Promise<OrtStepModel> {
  const graphs = readOnnxGraphs(dir);
  return OrtStepModel.create(graphs, readModelConfig(dir).config.specials, options);
}
