// The decoding public surface: options, one-shot and streaming decode, the continuous-batching
// scheduler, teacher-forced scoring, result types and the step-model contract.
export {
  parseDecodingOptions,
  withDecodingDefaults,
  decodingOptionFields,
  engineDecodingLimits,
  defaultDecodingOptions,
  DecodingOptionsError,
  type DecodingOptions,
  type DecodingOptionsInput,
  type DecodingLimits,
  type Strategy,
  type LengthPenalty,
  type TreeConstraint,
} from './options.ts';
export { decode, decodeStream, type DecodeContext, type DecodeEvent } from './decode.ts';
export { DecodeScheduler, type DecodeRequest, type SchedulerOptions } from './scheduler.ts';
export { SchedulerBusyError, DecodeTimeoutError, DecodeAbortedError, SchedulerClosedError } from './errors.ts';
export { scoreTargets, rerankByBackward } from './rerank.ts';
export { decodeWork, type DecodeWork } from './work.ts';
export type { DecodeResult, DecodeTiming, Hypothesis, PartialHypothesis, Detokenize } from './results.ts';
export type { StepModel, StepOutput, SpecialIds } from './step-model.ts';
