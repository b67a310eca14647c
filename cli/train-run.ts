// One training run: corpus pairs, tokenizer, encoded data and model, then the engine's training loop
// (engine/training/train-loop.ts) with callbacks that keep the best model as out/'s top-level files,
// write train-log.jsonl and resumable checkpoints, and print progress.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { IssueLog, replyDrawsOnContext, type Split } from '../corpora/index.ts';
import {
  Seq2Seq,
  Tokenizer,
  Trainer,
  chooseEngine,
  mallocHint,
  encodeModelProto,
  ortEngine,
  planBatches,
  runGrid,
  tfjsEngine,
  type BackendName,
  type EngineName,
  type ModelConfig,
  validateModelConfig,
  loadTrainingCheckpoint,
  readModelConfig,
  saveModel,
  saveTrainingCheckpoint,
  trainLoop,
  writeFileAtomic,
  type Example,
  type StopReason,
  type TrainPosition,
  Pipeline,
  TOKENIZER_FILE,
  SIDE_TOKENIZER_FILES,
  type SideTokenizers,
  buildTokenizer,
  encodePairs,
  heldOutSample,
  engineTask,
  type PipelineMeta,
  type TextPair,
  leaves,
} from '../engine/index.ts';
import { loadTaskPairs, loadTreeFiles } from './corpus-data.ts';
import { Progress } from './progress.ts';
import { TrainLog, type ValidEntry } from './train-log.ts';
import { validationLine } from './validation-line.ts';
import { runModelConfig, type RunVocabSizes, type TrainRunOptions } from './train-options.ts';
import { layoutOf, resolveLayout, resolveRun, RUN_FILE, selectionScore, withBestScore } from './train-resume.ts';
import { validateRun, type ValidSummary } from './train-validate.ts';
import { copyInitTokenizers, initConfig, initPosTags, loadInitWeights, optionsFromInit, readInitModel, runDirection, type InitModel } from './train-init.ts';

/**
 * What a checkpoint records beside the trainer: where in the data it stopped, the run's bookkeeping,
 * and the last validation before it (config.json holds the best one's).
 */
export interface DataPosition extends TrainPosition {
  valid?: ValidSummary & { step: number };
}

export interface RunSummary {
  steps: number;
  elapsedMs: number;
  tokensPerSecond: number;
  stopped: StopReason;
  best: (ValidSummary & { step: number }) | null;
  dataIssues: IssueLog;
  meta: PipelineMeta;
  engine: EngineName;
  /** The options the run trained with: a resumed run's saved ones, an --init-from run's as the model set them. */
  options: TrainRunOptions;
}

export interface RunContext {
  resume: boolean;
  progress: Progress;
  /** Where status lines go (default: the progress stream). */
  log?: (message: string) => void;
  /** The training engine asked for (default: the fastest available for the model and backend). */
  engine?: EngineName;
  backend?: BackendName;
}

/** The model config a run trains, written when it starts: a resumed run rebuilds exactly that model. */
const MODEL_FILE = 'training/model.json';

async function pairsFor(o: TrainRunOptions, split: Split, issues: IssueLog): Promise<TextPair[]> {
  const pairs = await loadTaskPairs({
    task: o.task,
    corpora: o.corpora,
    split,
    contextTurns: o.contextTurns,
    seed: o.seed,
    log: issues,
    ...(o.corporaDir === undefined ? {} : { dir: o.corporaDir }),
    ...(o.direction === undefined ? {} : { direction: o.direction }),
    ...(o.posTags ? { posTags: true } : {}),
    ...(o.maxExamples === undefined ? {} : { maxExamples: split === 'train' ? o.maxExamples : Math.max(1, Math.ceil(o.maxExamples / 10)) }),
  });
  // Self-training trees join the training split alone: held-out figures stay on the treebank's own.
  if (split === 'train' && o.extraTrees) pairs.push(...(await loadTreeFiles(o.extraTrees, o.posTags ?? false, issues)));
  return o.backward ? pairs.map(backwardPair) : pairs;
}

/** The chat pairs whose reply draws on their earlier turns (--context-repeat trains them again). */
export function contextPairIndices(pairs: readonly TextPair[]): number[] {
  const out: number[] = [];
  pairs.forEach((p, i) => {
    if (typeof p.input !== 'string' && replyDrawsOnContext(p.input.slice(0, -1), p.input[p.input.length - 1] ?? '', p.target)) out.push(i);
  });
  return out;
}

/** The pair as p(message | reply) sees it: the reply is the input, the message (the last turn) the target. */
export function backwardPair(p: TextPair): TextPair {
  const turns = typeof p.input === 'string' ? [p.input] : p.input;
  return { input: [p.target], target: turns[turns.length - 1] ?? '' };
}

interface RunTokenizers extends SideTokenizers {
  /** What config.json names: the target side's file, and the source side's when it has its own. */
  files: Pick<PipelineMeta, 'tokenizer' | 'sourceTokenizer'>;
  sizes: RunVocabSizes;
}

/**
 * Trains the run's tokenizer(s) on its training pairs, or on --resume loads the ones it trained; a run
 * started from a model (--init-from) takes that model's.
 */
async function prepareTokenizers(o: TrainRunOptions, train: TextPair[], resuming: boolean, init: InitModel | null): Promise<RunTokenizers> {
  if (init) copyInitTokenizers(init, o.out);
  const side = async (name: string, which: 'joint' | 'source' | 'target') => {
    const file = path.join(o.out, name);
    if (!init && (!resuming || !existsSync(file))) writeFileAtomic(file, encodeModelProto(buildTokenizer(train, { task: o.task, vocabSize: o.vocabSize, side: which })));
    return Tokenizer.load(file);
  };
  if (o.vocab !== 'separate') {
    const joint = await side(TOKENIZER_FILE, 'joint');
    return { source: joint, target: joint, files: { tokenizer: TOKENIZER_FILE }, sizes: joint.vocabSize };
  }
  const source = await side(SIDE_TOKENIZER_FILES.source, 'source');
  const target = await side(SIDE_TOKENIZER_FILES.target, 'target');
  return {
    source,
    target,
    files: { tokenizer: SIDE_TOKENIZER_FILES.target, sourceTokenizer: SIDE_TOKENIZER_FILES.source },
    sizes: { source: source.vocabSize, target: target.vocabSize },
  };
}

/**
 * The run's model config: on --resume the one it started with (training/model.json; config.json's for
 * runs that predate that file), so a change of the flags' defaults never reshapes a checkpoint.
 */
function runConfig(o: TrainRunOptions, sizes: RunVocabSizes, resuming: boolean, init: InitModel | null): ModelConfig {
  const file = path.join(o.out, MODEL_FILE);
  if (resuming && existsSync(file)) return validateModelConfig(JSON.parse(readFileSync(file, 'utf8')));
  if (resuming && existsSync(path.join(o.out, 'config.json'))) return readModelConfig(o.out).config;
  const config = init ? initConfig(o, init) : runModelConfig(o, sizes);
  writeFileAtomic(file, `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

/** The training examples `parley train` keeps: a non-empty source, and neither side over --max-length ids. */
export function dropLong(examples: Example[], maxLength: number): Example[] {
  return examples.filter((e) => e.src.length > 0 && e.src.length <= maxLength && e.tgt.length <= maxLength);
}

/** The POS tags of the training trees, sorted: the preterminals a --pos-tags parser writes (config.json posTags). */
export function treebankTags(pairs: readonly TextPair[]): string[] {
  const tags = new Set<string>();
  for (const p of pairs) if (p.gold) for (const leaf of leaves(p.gold)) tags.add(leaf.tag);
  return [...tags].sort();
}

/** Loads held-out pairs of a split the way training saw its data. */
export const heldOutPairs = pairsFor;


export async function trainRun(options: TrainRunOptions, ctx: RunContext): Promise<RunSummary> {
  const { options: asked, resuming, saved: savedRun, notes } = resolveRun(options, ctx.resume);
  // A resumed run has the model's tokenizer, config and weights of its own by now.
  const init = asked.initFrom !== undefined && !resuming ? readInitModel({ ...asked, initFrom: asked.initFrom }) : null;
  const o = init ? optionsFromInit(asked, init) : asked;
  const say = ctx.log ?? ((m: string) => ctx.progress.line(m));
  if (ctx.resume && !resuming) say(`no training checkpoint in ${o.out}: starting a fresh run`);
  for (const note of notes) say(note);
  mkdirSync(path.join(o.out, 'training'), { recursive: true });
  const issues = new IssueLog(100, undefined);
  const trainPairs = await pairsFor(o, 'train', issues);
  if (trainPairs.length === 0) throw new Error(`no training examples in ${o.corpora.join(', ') || o.task} (split train)${issues.count ? `; ${issues.summary()}` : ''}`);
  const validPairs = await pairsFor(o, 'valid', issues);
  const repeat = o.contextRepeat ? { times: o.contextRepeat, indices: contextPairIndices(trainPairs) } : null;
  if (repeat && o.contextTurns === 0) throw new Error('--context-repeat needs earlier turns to draw on, and this run reads none (context turns 0)');
  const tokenizers = await prepareTokenizers(o, trainPairs, resuming, init);
  const config = runConfig(o, tokenizers.sizes, resuming, init);
  // What a run started from a model keeps of it across --resume: its tags and decoding defaults, in config.json by then.
  const saved = resuming && o.initFrom !== undefined && existsSync(path.join(o.out, 'config.json')) ? readModelConfig(o.out).meta : undefined;
  const corpusTags = o.posTags ? treebankTags(trainPairs) : undefined;
  const posTags = init && corpusTags ? initPosTags(init, corpusTags) : (saved?.posTags as string[] | undefined) ?? corpusTags;
  const decoding = init?.meta.decoding ?? (saved?.decoding as Record<string, unknown> | undefined);
  const direction = o.task === 'translate' ? runDirection(o.direction, o.corpora) : o.direction;
  const meta: PipelineMeta = {
    task: engineTask(o.task),
    pipelineTask: o.task,
    ...tokenizers.files,
    ...(o.task === 'chat' ? { contextTurns: o.contextTurns } : {}),
    ...(o.backward ? { mmiRole: 'backward' } : {}),
    corpora: o.corpora,
    dataSeed: o.seed,
    ...(direction === undefined ? {} : { direction }),
    ...(posTags ? { posTags } : {}),
    ...(o.initFrom === undefined ? {} : { initFrom: path.relative(process.cwd(), o.initFrom) || o.initFrom }),
    // The data choice the weights carry, with the pairs it chose (the judge may change, the record not).
    ...(repeat ? { contextRepeat: { times: repeat.times, pairs: repeat.indices.length, of: trainPairs.length } } : {}),
    ...(decoding === undefined ? {} : { decoding }),
  };
  const chosen = chooseEngine(ctx.engine, ctx.backend ?? 'cpu');
  const onOrt = chosen.name === 'onnxruntime';
  const { layout, note: layoutNote } = resuming ? resolveLayout(o.ortLayout, process.env) : { layout: layoutOf(process.env), note: null };
  // Only the ORT engine pads to a layout, so only its runs record one; a run saved without one (begun
  // on tfjs, or before layouts were recorded) is pinned when the ORT engine first trains it.
  // On a resume it is the run as it began that is rewritten, not this call's budget.
  if (!resuming || (o.ortLayout === undefined && onOrt)) writeFileAtomic(path.join(o.out, RUN_FILE), `${JSON.stringify({ ...(savedRun ?? o), ...(onOrt ? { ortLayout: layout } : {}) }, null, 2)}\n`);

  const model = new Seq2Seq(config);
  const trainer = new Trainer(model, { learningRate: o.learningRate, seed: o.seed, ...(o.schedule === undefined ? {} : { schedule: o.schedule }) });
  // The model's and trainer's tensors, and the engine's native sessions, go whatever throws (a bad
  // checkpoint, a validation with no score to select by, a full disk): tests run trainRun in-process.
  try {
    if (init) {
      loadInitWeights(init, model);
      say(`starting from ${init.dir} (its step ${typeof init.meta.step === 'number' ? init.meta.step : '?'}): its weights, architecture and tokenizer; a fresh optimizer`);
    }
    const pipeline = new Pipeline(null, model, meta, tokenizers);
    // Repeated after the tokenizer has read the corpus once; validation stays as the corpora give it,
    // so its perplexities compare with runs that repeat nothing.
    const encoded = encodePairs(pipeline, trainPairs);
    if (repeat) say(`--context-repeat ${repeat.times}: ${repeat.indices.length} of ${trainPairs.length} training pairs reply with a word of the earlier turns the message lacks; each is trained on ${repeat.times + 1} times`);
    const all = repeat ? [...encoded, ...repeat.indices.flatMap((i) => new Array<Example>(repeat.times).fill(encoded[i]!))] : encoded;
    const examples = dropLong(all, o.maxLength);
    if (examples.length === 0) throw new Error(`every training example is longer than --max-length ${o.maxLength} tokens`);
    const valid = heldOutSample(validPairs, o.validLimit);
    say(`${examples.length} training pairs (${all.length - examples.length} over ${o.maxLength} tokens dropped), ${validPairs.length} validation pairs; ${issues.summary()}`);
    const vocabulary = config.sourceVocabSize === undefined ? `vocabulary ${config.vocabSize}` : `vocabularies ${config.sourceVocabSize} source, ${config.vocabSize} target`;
    say(`model ${config.preset}: ${model.params.entries().reduce((s, [, v]) => s + v.size, 0)} parameters, ${vocabulary}`);

    say(`training engine ${chosen.name} (${chosen.why})`);
    const hint = mallocHint(chosen.name);
    if (hint) say(hint);
    if (layoutNote && onOrt) say(layoutNote);
    const engine = onOrt ? ortEngine(trainer, { grid: runGrid(examples, planBatches(examples, { batchTokens: o.batchTokens, seed: o.seed, epoch: 0 }), layout) }) : tfjsEngine(trainer);
    try {
      let position: TrainPosition | undefined;
      let lastValid: DataPosition['valid'];
      const log = new TrainLog(path.join(o.out, 'train-log.jsonl'));
      if (resuming) {
        const restored = loadTrainingCheckpoint<DataPosition>(o.out, trainer);
        engine.syncFromTrainer();
        const { valid, ...data } = restored.data;
        position = withBestScore(data);
        lastValid = valid;
        log.truncate(restored.step);
        say(`resumed at step ${restored.step} (epoch ${data.epoch}, batch ${data.batchIndex})`);
      } else {
        log.truncate(-1);
      }

      let best: RunSummary['best'] = null;
      if (resuming && existsSync(path.join(o.out, 'config.json'))) {
        // The best model so far is the one in the directory; its metrics are in config.json.
        const saved = readModelConfig(o.out).meta;
        if (typeof saved.step === 'number' && saved.valid && typeof saved.valid === 'object') best = { ...(saved.valid as object), step: saved.step } as RunSummary['best'];
      }

      const run = await trainLoop<ValidSummary>({
        engine,
        examples,
        batchTokens: o.batchTokens,
        seed: o.seed,
        ...(o.steps === undefined ? {} : { steps: o.steps }),
        ...(o.epochs === undefined ? {} : { epochs: o.epochs }),
        ...(o.timeBudgetMs === undefined ? {} : { timeBudgetMs: o.timeBudgetMs }),
        logEvery: o.logEvery,
        validEvery: o.validEvery,
        checkpointEvery: o.checkpointEvery,
        patience: o.patience,
        score: selectionScore(o.selectBy ?? 'perplexity'),
        ...(position === undefined ? {} : { position }),
        callbacks: {
          onLog(e) {
            log.append({ step: e.step, loss: e.loss, tokensPerSecond: e.tokensPerSecond, learningRate: e.learningRate, gradNorm: e.gradNorm, elapsed: e.elapsedMs / 1000 });
            ctx.progress.update({ step: e.step, loss: e.loss, tokensPerSecond: e.tokensPerSecond, elapsedMs: e.elapsedMs });
          },
          async validate(step) {
            if (valid.length === 0) return null;
            const metrics = await validateRun(engine, pipeline, valid, { decodeLimit: o.validLimit, samples: o.task === 'chat' ? 5 : 2 });
            const entry: ValidEntry = { step, valid: { ...metrics } };
            log.append(entry);
            const { samples: _s, ...summary } = metrics;
            lastValid = { ...summary, step };
            say(validationLine(step, summary));
            return summary;
          },
          async onBest(step, summary) {
            best = { ...summary, step };
            await saveModel(o.out, model, { ...meta, step, valid: summary });
          },
          async checkpoint(pos) {
            engine.syncToTrainer();
            const data: DataPosition = { ...pos, ...(lastValid === undefined ? {} : { valid: lastValid }) };
            await saveTrainingCheckpoint(o.out, trainer, data);
          },
          onStop: () => ctx.progress.done(),
        },
      });
      engine.syncToTrainer();
      if (!existsSync(path.join(o.out, 'config.json'))) await saveModel(o.out, model, { ...meta, step: trainer.step });
      const { elapsedMs } = run;
      const spent = engine.summary();
      if (spent) say(spent);
      return { steps: trainer.step, elapsedMs, tokensPerSecond: run.position.tokens / Math.max(1e-3, elapsedMs / 1000), stopped: run.stopped, best, dataIssues: issues, meta, engine: engine.name, options: o };
    } finally {
      await engine.dispose();
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
}
