// The engine factory `npm start` uses. The lead wires the real engine (engine/index.ts: tfjs or ONNX
// Runtime models behind the continuous-batching scheduler) here at merge time.
import type { EngineFactory } from './model-backend.ts';

export const engineFactory: EngineFactory = async (spec) => {
  throw new Error(`cannot load model "${spec.id}": the engine is not wired into the server yet`);
};
