// The task layer's public surface: task conventions, the servable Pipeline, batching and evaluation.
export { PIPELINE_TASKS, TOKENIZER_FILE, SIDE_TOKENIZER_FILES, isPipelineTask, isSynthetic, engineTask, pipelineMeta, type PipelineTask, type PipelineMeta, type SyntheticTask } from './task.ts';
export { TaskCodec, isParsePiece, parseWords, type PipelineInput, type PipelineOutput, type ParseOutput } from './codec.ts';
export { Pipeline, loadPipeline, type PipelineRun, type SideTokenizers } from './pipeline.ts';
export { TURN_SEPARATOR, splitTurns, taskInput, lineInput, renderOutput, type RenderedOutput } from './task-io.ts';
export { planBatches, epochSeed, rowCost, type BatchPlanOptions } from './batches.ts';
export { buildTokenizer, parseTargetPieces, type TextPair, type TokenizerBuildOptions } from './build-tokenizer.ts';
export { evaluatePipeline, scoreDecoding, defaultDecoding, measurePerplexity, encodePairs, spread, heldOutSample, SCORED_PER_DECODED, type TaskMetrics, type EvaluateOptions, type Sample } from './evaluate.ts';
export { contextGain, hitsAtOne, replyLogProbs, type ContextGain, type HitsOptions, type HitsResult } from './rank.ts';
export { BackwardModelError, backwardDirOf, loadBackward, backwardLogProbs } from './backward.ts';
