// The narrow contract between the server and whatever decodes: a loaded model that turns inputs into
// text, and a factory that loads one model directory. The engine is wired in through `EngineFactory`.
import type { DecodingOptionsInput as EngineOptionsInput } from '../../engine/index.ts';

import type { DecodingOptionsInput, GeneratedText, Hypothesis, ModelTask } from '../protocol.ts';

// The shapes a request and its result share with clients are declared once, in the wire protocol.
export type { DecodingOptionsInput, Hypothesis, LengthPenaltyInput, ModelTask } from '../protocol.ts';

export const modelTasks: readonly ModelTask[] = ['chat', 'translate', 'parse'];

/**
 * Decoding options as they arrive: shape- and size-checked by the server (server/schemas.ts, built from
 * the engine's option fields) and handed on unchanged; the engine fills defaults and refuses
 * combinations it does not implement. treeConstraint is the parse pipeline's; retrieved is the server's:
 * replies of the k nearest training prompts join a chat model's pool (0 turns it off). The wire type in
 * protocol.ts imports nothing, so it is written out there; this check fails to compile if it and the
 * engine's fields drift apart.
 */
type EngineRequestOptions = Omit<EngineOptionsInput, 'treeConstraint'> & { retrieved?: number };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const wireOptionsMatchEngine: Same<DecodingOptionsInput, EngineRequestOptions> = true;

export interface GenerateRequest {
  /** chat: the conversation turns, oldest first, the last one being the new message; translate: [text]; parse: [sentence]. */
  inputs: string[];
  options: DecodingOptionsInput;
  /** Aborted when the client goes away, the time limit passes or the server shuts down. */
  signal: AbortSignal;
  /** Called with the best partial output so far (the whole text, not a delta) as decoding goes. */
  onPartial?: (text: string) => void;
  /**
   * What this model's plan() returned for the same inputs and options (the cost check's), so generate
   * reuses the encoding it made instead of encoding again; a plan of other inputs or another model is ignored.
   */
  plan?: DecodePlan;
}

/** What a request would cost to decode, known before it runs (engine/decoding/work.ts). */
export interface DecodePlan {
  /** Source tokens the model reads (after subword encoding, context turns included). */
  sourceTokens: number;
  /** Hypotheses decoded side by side each step (beam size, samples, 1 for greedy). */
  rows: number;
  /** The most output tokens the request may produce. */
  maxSteps: number;
  /** Row-steps of MMI-antiLM's unconditional LM lane (rows × its steps; it attends to no source). */
  lmRowSteps?: number;
  /** Row-steps of reranking after the search (the retrieved pool's and MMI-bidi's scoring), on top of rows × maxSteps. */
  rerankRowSteps?: number;
}

export interface GenerateResult extends GeneratedText {
  /** parse: whether the bracketing was repaired to be well formed. */
  repaired?: boolean;
}

export interface LoadedModel {
  readonly id: string;
  readonly task: ModelTask;
  readonly preset: string;
  /** Changes whenever the weights change; stored with each reply. */
  readonly version: string;
  /** The model card, markdown. */
  readonly card: string;
  /** Path of the JSONL training log in the model directory, or null. */
  readonly trainingLogPath: string | null;
  readonly parameters?: number;
  /** Which runtime decodes it, for /api/models (e.g. 'onnx', 'tfjs-wasm'). */
  readonly runtime?: string;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** The work bound of a request, with the model's defaults applied; throws InvalidInputError as generate would. */
  plan(request: Pick<GenerateRequest, 'inputs' | 'options'>): DecodePlan;
  /** Free weights and sessions; called once no request uses the model any more. */
  dispose?(): Promise<void> | void;
}

/** What the loader found in one model directory, before the engine loads it. */
export interface ModelDirSpec {
  /** The directory name. */
  id: string;
  dir: string;
  /** Parsed config.json. */
  config: unknown;
  card: string;
  trainingLogPath: string | null;
  /** A hash of the directory's file names, sizes and modification times. */
  version: string;
  /** Total bytes of the directory's files. */
  bytes: number;
}

/** Hooks the engine calls so the server can export its figures as metrics. */
export interface EngineHooks {
  /** Rows in one decoder step of the continuous-batching scheduler. */
  observeBatchSize(modelId: string, rows: number): void;
}

export type EngineFactory = (spec: ModelDirSpec, hooks: EngineHooks) => Promise<LoadedModel>;

/** Thrown by generate() for inputs the model refuses (unknown option value, too long); becomes a 4xx. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}
