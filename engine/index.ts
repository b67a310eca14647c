// The engine's one public surface: the server, CLI and benchmarks import from here only.
export { initBackend, type BackendInfo, type BackendOptions, type BackendName } from './backend.ts';
export {
  modelConfig,
  validateModelConfig,
  encoderWidth,
  readoutWidth,
  sourceVocabSize,
  presets,
  ConfigError,
  type ModelConfig,
  type ModelConfigOverrides,
  type Preset,
  type CellKind,
} from './config.ts';
export { Random } from './random.ts';
export { Seq2Seq } from './models/seq2seq.ts';
export { TfjsStepModel, type TfjsState } from './models/tfjs-step-model.ts';
export { prepareSources } from './models/source.ts';
export { makeBatch, type Example, type TensorBatch } from './training/batch.ts';
export { Trainer, defaultTrainingOptions, trainingOptionsSchema, type TrainingOptions, type StepReport } from './training/trainer.ts';
export { trainLoop, startPosition, type TrainLoopOptions, type TrainLoopCallbacks, type TrainLoopResult, type TrainPosition, type StepEngine, type StepLog, type StopReason } from './training/train-loop.ts';
export { learningRateAt, scheduleSchema, type Schedule } from './training/schedule.ts';
export { chooseEngine, engineNames, mallocHint, ortEngine, runGrid, tfjsEngine, type EngineName, type TrainEngine } from './ort-training/train-engine.ts';
export { maskedCrossEntropy } from './training/loss.ts';
export { saveModel, loadModel, loadModelWeights, readModelConfig, type ModelMeta, type Task } from './checkpoint/model-dir.ts';
export { saveTrainingCheckpoint, loadTrainingCheckpoint, hasTrainingCheckpoint } from './checkpoint/training-state.ts';
export { CheckpointError } from './checkpoint/weights.ts';
export { writeFileAtomic } from './checkpoint/atomic.ts';
export * from './decoding/index.ts';
export * from './tokenizer/index.ts';
export * from './metrics/index.ts';
export * from './parsing/index.ts';
export * from './onnx/index.ts';
export * from './pipeline/index.ts';
export * from './retrieval/index.ts';

// For benchmarks and profiling only: ONNX Runtime training below its TrainEngine (the trainer, its padded
// batches, the step graph's sections) and the kernel switches they flip to compare implementations.
export { OrtTrainer } from './ort-training/ort-trainer.ts';
export { makeStepBatch, roundLength, type LengthGrid } from './ort-training/step-batch.ts';
export { gridFromEnv } from './ort-training/train-engine.ts';
export { DEFAULT_SHAPE_BUDGET, planShapes, ShapePlan, type LengthPair, type ShapeUse } from './ort-training/shape-plan.ts';
export { buildStepGraph, buildStepGraphWithSections } from './ort-training/step-graph.ts';
export { nativeMatMulInstance, parseThreadsEnv } from './backend.ts';
export { setWasmMatMulRoute, type WasmMatMulRoute } from './kernels/wasm-batch-mat-mul.ts';
export { setFusedGruEnabled } from './cells/gru.ts';
export { createTrainingSession } from './ort-training/session.ts';
