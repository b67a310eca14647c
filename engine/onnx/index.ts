// ONNX export and ONNX Runtime decoding: what engine/index.ts re-exports.
export { buildOnnxGraphs, type OnnxGraphs, type OnnxModelSpec } from './export-graphs.ts';
export { OrtStepModel, defaultOrtSessionOptions, type OrtState, type OrtSessionOptions } from './ort-step-model.ts';
export { exportOnnx, writeOnnxFiles, readOnnxGraphs, loadOrtStepModel, OnnxExportError, type OnnxManifest } from './model-files.ts';
export { OrtDecodeWorker, DecodeWorkerError } from './decode-worker.ts';
export type { WorkerInit, WorkerDecodeRequest } from './decode-worker-protocol.ts';
export { loadStepModel, type LoadedStepModel, type DecodeEngine } from './load-step-model.ts';
