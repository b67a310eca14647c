// The engine factory `npm start` uses. Until the lead wires the engine in here, every model directory
// fails to load with the message below and the server runs without models.
//
// Wiring (engine/index.ts): for each ModelDirSpec, load the model directory (loadModel(spec.dir)) and its
// tokenizer, wrap it as a StepModel (TfjsStepModel, or the ONNX one when the directory has ONNX graphs)
// whose step() also calls hooks.observeBatchSize(spec.id, prevTokens.length), and put one DecodeScheduler
// over it. generate() encodes the inputs (chat: the turns joined as the model was trained; translate and
// parse: inputs[0]), submits { source, options, signal, onPartial: (p) => onPartial(p.text) }, and maps
// the DecodeResult to GenerateResult (nBest texts and scores, attention with the source and target
// pieces, tokens = result.tokens.length, timingMs = timing.totalMs; parse: the repaired bracketing).
// The scheduler's coded errors and DecodingOptionsError map to client errors in errors.ts as they are.
import type { EngineFactory } from './model-backend.ts';

export const engineFactory: EngineFactory = async (spec) => {
  throw new Error(`cannot load model "${spec.id}": the engine is not wired into the server yet`);
};
