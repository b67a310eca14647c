// The server's way to open a model directory for decoding: ONNX Runtime when the directory holds a
// current export, else the tfjs model, with the reason for the fallback.
import { loadModel } from '../checkpoint/model-dir.ts';
import type { StepModel } from '../decoding/step-model.ts';
import { TfjsStepModel } from '../models/tfjs-step-model.ts';
import { loadOrtStepModel, OnnxExportError } from './model-files.ts';
import type { OrtSessionOptions } from './ort-step-model.ts';

export type DecodeEngine = 'onnxruntime' | 'tfjs';

export interface LoadedStepModel {
  model: StepModel<unknown>;
  engine: DecodeEngine;
  /** Why ONNX Runtime is not used (missing or stale export), when engine is tfjs. */
  fallbackReason?: string;
  /** Free sessions or tfjs weights. */
  dispose(): Promise<void>;
}

export async function loadStepModel(dir: string, o: { engine?: DecodeEngine | 'auto'; session?: Partial<OrtSessionOptions> } = {}): Promise<LoadedStepModel> {
  const engine = o.engine ?? 'auto';
  let fallbackReason: string | undefined;
  if (engine !== 'tfjs') {
    try {
      const ort = await loadOrtStepModel(dir, o.session);
      return { model: ort as StepModel<unknown>, engine: 'onnxruntime', dispose: () => ort.dispose() };
    } catch (e) {
      if (engine === 'onnxruntime' || !(e instanceof OnnxExportError)) throw e;
      fallbackReason = e.message;
    }
  }
  const { model } = loadModel(dir);
  return { model: new TfjsStepModel(model) as StepModel<unknown>, engine: 'tfjs', fallbackReason, dispose: async () => model.dispose() };
}
