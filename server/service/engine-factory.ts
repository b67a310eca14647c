// The engine behind `npm start`: each model directory is opened as a task pipeline (tokenizer, task
// codec, tfjs model) and decoded on ONNX Runtime in a worker thread when the directory holds a current
// ONNX export — so session.run never blocks the event loop — else on tfjs with continuous batching.
import {
  decodeWork,
  DecodeScheduler,
  exportOnnx,
  OnnxExportError,
  OrtDecodeWorker,
  initBackend,
  loadBackward,
  loadPipeline,
  planReply,
  renderOutput,
  ReplyIndex,
  respond,
  taskInput,
  withDecodingDefaults,
  type DecodeRequest,
  type DecodeResult,
  type Pipeline,
  type PipelineInput,
  type ReplyModels,
  type StepModel,
} from '../../engine/index.ts';
import { fitTurns } from './context-fit.ts';
import { SOURCE_TOKENS_PER_STEP_COST } from './cost-budget.ts';
import { InvalidInputError, type DecodePlan, type EngineFactory, type EngineHooks, type GenerateRequest, type GenerateResult, type LoadedModel, type ModelDirSpec, type ModelTask } from './model-backend.ts';

/** Source tokens a request may hold (byte fallback can turn a short text into many pieces). */
export const MAX_SOURCE_TOKENS = 400;

/**
 * Requests waiting per model beyond the running batch, and the batch's rows; the server's fair queue
 * sits in front and admits 64 rows by default (ServerOptions.maxActiveRowsPerModel).
 */
const SCHEDULER = { maxQueue: 256, maxBatchRows: 64 };

interface Decoder {
  runtime: string;
  submit(request: DecodeRequest): Promise<DecodeResult>;
  close(): Promise<void>;
}

/** The tfjs step model, counting rows per step for the batch-size metric. */
function observed<S>(model: StepModel<S>, onStep: (rows: number) => void): StepModel<S> {
  return new Proxy(model, {
    get(target, key, receiver) {
      if (key === 'step') return (prev: Int32Array, state: S) => (onStep(prev.length), target.step(prev, state));
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const isExportError = (e: unknown) => e instanceof Error && e.name === OnnxExportError.name;

/**
 * ONNX Runtime in a worker when the directory has a current export — written here when it has none,
 * since shipped models carry only their weights — else tfjs.
 */
async function openDecoder(spec: ModelDirSpec, pipeline: Pipeline, hooks: EngineHooks, o: EngineOptions): Promise<Decoder> {
  if (o.engine === 'tfjs') return tfjsDecoder(spec, pipeline, hooks);
  const startWorker = () => OrtDecodeWorker.start({ source: { modelDir: spec.dir }, session: {}, scheduler: SCHEDULER });
  try {
    let worker: OrtDecodeWorker;
    try {
      worker = await startWorker();
    } catch (e) {
      if (!isExportError(e) || !o.exportMissing) throw e;
      exportOnnx(spec.dir);
      worker = await startWorker();
    }
    return { runtime: 'onnxruntime', submit: (r) => worker.submit(r), close: () => worker.close() };
  } catch (e) {
    const unwritable = e instanceof Error && /EACCES|EROFS|EPERM/.test(e.message);
    if (o.engine === 'onnxruntime' || !(isExportError(e) || unwritable)) throw e;
    return tfjsDecoder(spec, pipeline, hooks);
  }
}

async function tfjsDecoder(spec: ModelDirSpec, pipeline: Pipeline, hooks: EngineHooks): Promise<Decoder> {
  const backend = await initBackend();
  const scheduler = new DecodeScheduler(observed(pipeline.stepModel, (rows) => hooks.observeBatchSize(spec.id, rows)), SCHEDULER);
  return { runtime: `tfjs-${backend.name}`, submit: (r) => scheduler.submit(r), close: () => scheduler.close() };
}

function servedTask(pipeline: Pipeline, spec: ModelDirSpec): ModelTask {
  const task = pipeline.task;
  if (task === 'chat' || task === 'translate' || task === 'parse') return task;
  throw new Error(`${spec.dir}: a ${task} model is not served (tasks: chat, translate, parse)`);
}

export interface EngineOptions {
  /** Which runtime decodes: ONNX Runtime when possible (auto), or one of them only. */
  engine: 'auto' | 'onnxruntime' | 'tfjs';
  /** Write the ONNX export of a directory that has none (shipped models carry only weights). */
  exportMissing: boolean;
}

export function engineOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): EngineOptions {
  const engine = env.PARLEY_ENGINE ?? 'auto';
  if (engine !== 'auto' && engine !== 'onnxruntime' && engine !== 'tfjs') {
    throw new Error(`PARLEY_ENGINE=${engine} is not one of auto, onnxruntime, tfjs`);
  }
  return { engine, exportMissing: env.PARLEY_EXPORT_ONNX !== '0' };
}

export const createEngineFactory = (o: EngineOptions = engineOptionsFromEnv()): EngineFactory => async (spec, hooks) => {
  await initBackend(); // once per process (later calls return the same backend); loading builds tfjs weights
  const pipeline = await loadPipeline(spec.dir);
  let task: ModelTask;
  let decoder: Decoder;
  let backward: Pipeline | null = null;
  let replyIndex: ReplyIndex | null = null;
  try {
    task = servedTask(pipeline, spec);
    backward = await loadBackward(pipeline);
    replyIndex = task === 'chat' ? ReplyIndex.load(spec.dir) : null;
    decoder = await openDecoder(spec, pipeline, hooks, o);
  } catch (e) {
    backward?.dispose();
    pipeline.dispose();
    throw e;
  }
  const decodingDefaults = pipeline.decodingDefaults;
  // Per-side vocabularies: source ids are pieces of the source tokenizer, output ids of the target's.
  const sourcePiece = (id: number) => pipeline.sourceTokenizer.idToPiece(id);
  const piece = (id: number) => pipeline.tokenizer.idToPiece(id);
  /** Output ids → the text a person reads: detokenized, or the bracketed tree for parse. */
  const render = (ids: number[], input: PipelineInput) => renderOutput(pipeline.decodeOutput(ids, input));

  /** Source ids within MAX_SOURCE_TOKENS: a chat drops its earliest turns to fit (context-fit.ts). */
  const encodeRequest = (inputs: string[]): { input: PipelineInput; source: number[] } => {
    if (task === 'chat') {
      // The model reads only its last contextTurns earlier turns; older ones need no encoding.
      const read = inputs.slice(-(pipeline.codec.contextTurns + 1));
      const fitted = fitTurns(read, (turns) => pipeline.encodeInput(turns), MAX_SOURCE_TOKENS);
      return { input: fitted.turns, source: fitted.source };
    }
    const input = taskInput(task, inputs);
    const source = pipeline.encodeInput(input);
    if (source.length > MAX_SOURCE_TOKENS) {
      throw new InvalidInputError(`input too long: ${source.length} tokens after subword encoding (at most ${MAX_SOURCE_TOKENS})`);
    }
    return { input, source };
  };

  const models: ReplyModels = { forward: pipeline, backward, index: replyIndex };
  /** Target tokens of the index's longest reply, counted once while the model loads, never on a request's path. */
  const longestReply = (replyIndex?.replies ?? []).reduce((n, r) => Math.max(n, pipeline.codec.encodeTarget(r.text).length), 0);
  const longestIndexedReply = (): number => longestReply;
  /**
   * The pipeline's input and source ids, the options decode will run with (model defaults under the
   * request's) and what follows the forward search: the retrieved pool and MMI-bidi (engine/retrieval/respond.ts).
   */
  const prepare = (request: Pick<GenerateRequest, 'inputs' | 'options'>) => {
    const { input, source } = encodeRequest(request.inputs);
    // `retrieved` is the pool's, not the decoder's: taken off before the search sees the options.
    const { retrieved, ...given } = (request.options ?? {}) as { retrieved?: number };
    const options = pipeline.withTreeConstraint(input, withDecodingDefaults(decodingDefaults, given));
    return { input, source, options, reply: planReply(models, options, retrieved) };
  };

  /**
   * Each plan's prepared request, for generate to take up: encoding (subword pieces, a chat's fitting) runs
   * once per request rather than once for the cost check and again to decode. Keyed by the plan object, so a
   * plan this model never made finds nothing; the inputs and options must be the same as when planned.
   */
  const planned = new WeakMap<DecodePlan, { key: string; prepared: ReturnType<typeof prepare> }>();
  const requestKey = (request: Pick<GenerateRequest, 'inputs' | 'options'>) => JSON.stringify([request.inputs, request.options ?? {}]);
  const preparedFor = (request: GenerateRequest) => {
    const made = request.plan && planned.get(request.plan);
    return made && made.key === requestKey(request) ? made.prepared : prepare(request);
  };

  const model: LoadedModel = {
    id: spec.id,
    task,
    preset: pipeline.config.preset,
    version: spec.version,
    card: spec.card,
    trainingLogPath: spec.trainingLogPath,
    parameters: pipeline.model.params.size(),
    runtime: decoder.runtime,
    async generate(request): Promise<GenerateResult> {
      const started = performance.now();
      const { input, source, options, reply } = preparedFor(request);
      const onPartial = request.onPartial;
      const { searched, ranked } = await respond(models, {
        input, source, options, plan: reply,
        message: request.inputs[request.inputs.length - 1] ?? '',
        search: (searchOptions) => decoder.submit({
          source,
          options: searchOptions,
          signal: request.signal,
          ...(onPartial ? { onPartial: (p) => onPartial(render(p.tokens, input).text) } : {}),
        }),
      });
      const top = ranked[0]!;
      const best = render(top.tokens, input);
      const nBest = ranked.map((h) => ({
        text: render(h.tokens, input).text,
        score: h.score,
        ...(h.backwardLogProb === undefined ? {} : { backwardLogProb: h.backwardLogProb }),
        ...(task === 'chat' ? { origin: h.origin } : {}),
      }));
      // The attention is the forward search's best; a reranked best of other tokens has none here.
      const attention = searched.attention && top.tokens === searched.tokens ? searched.attention : undefined;
      const reranked = reply.bidi !== null || reply.retrieved > 0;
      return {
        text: best.text,
        tokens: top.tokens.length,
        score: top.score,
        nBest,
        ...(attention
          ? { attention, srcTokens: [...source.map(sourcePiece), sourcePiece(pipeline.config.specials.eos)], tgtTokens: top.tokens.map(piece) }
          : {}),
        ...(best.repaired === undefined ? {} : { repaired: best.repaired }),
        timingMs: reranked ? performance.now() - started : searched.timing.totalMs,
      };
    },
    plan(request): DecodePlan {
      const prepared = prepare(request);
      const { source, reply } = prepared;
      const { bidi, retrieved } = reply;
      const { rows, maxSteps, lmSteps } = decodeWork(reply.searchOptions, source.length);
      // The pool is scored in one batch, all of it as long as its longest candidate: a retrieved reply may
      // be longer than the request's maxLength.
      const candidateSteps = retrieved > 0 ? Math.max(maxSteps, longestIndexedReply()) : maxSteps;
      // The pool's forward scoring: each of up to rows + retrieved candidates forced through its tokens and EOS.
      const poolRowSteps = retrieved > 0 ? (rows + retrieved) * (candidateSteps + 1) * (1 + source.length / SOURCE_TOKENS_PER_STEP_COST) : 0;
      // Backward scoring: each candidate (a source of up to candidateSteps tokens) forced through the message.
      const message = request.inputs[request.inputs.length - 1] ?? '';
      const backwardRows = retrieved > 0 ? rows + retrieved : bidi?.pool ?? 0;
      const rerankRowSteps = poolRowSteps + (bidi && backward ? backwardRows * (backward.codec.encodeTarget(message).length + 1) * (1 + candidateSteps / SOURCE_TOKENS_PER_STEP_COST) : 0);
      const lmRowSteps = rows * lmSteps;
      const plan: DecodePlan = {
        sourceTokens: source.length, rows, maxSteps,
        ...(lmRowSteps > 0 ? { lmRowSteps } : {}),
        ...(rerankRowSteps > 0 ? { rerankRowSteps } : {}),
      };
      planned.set(plan, { key: requestKey(request), prepared });
      return plan;
    },
    async dispose() {
      await decoder.close();
      backward?.dispose();
      pipeline.dispose();
    },
  };
  return model;
};
