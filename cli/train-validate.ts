// One validation of a training run: perplexity over the spread sample's 5N pairs and N decodes scored
// for the task (BLEU, F1, reply statistics), on the ORT engine's graphs of the current weights when it
// trains, on the tfjs model otherwise.
import { encodePairs, evaluatePipeline, scoreDecoding, type Pipeline, type TaskMetrics, type TextPair, type TrainEngine } from '../engine/index.ts';

export type ValidSummary = Omit<TaskMetrics, 'samples'>;

export async function validateRun(engine: TrainEngine, pipeline: Pipeline, valid: TextPair[], scoring: { decodeLimit: number; samples: number }): Promise<TaskMetrics> {
  engine.syncToTrainer();
  if (!engine.perplexity) return evaluatePipeline(pipeline, valid, scoring);
  const perplexity = await engine.perplexity(encodePairs(pipeline, valid));
  const stepModel = await engine.validationStepModel?.();
  try {
    return { perplexity, ...(await scoreDecoding(pipeline, valid, { ...scoring, ...(stepModel ? { stepModel } : {}) })) };
  } finally {
    await stepModel?.dispose();
  }
}
