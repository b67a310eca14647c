// `parley eval --heldout translate`: a translation model on Parley's own held-out set
// (corpora/heldout/translation) as it is served — its direction from config.json, its decoding defaults
// under --options, each sentence through the server's path (engine/retrieval/respond.ts, 64 rows decoded
// together): corpus BLEU and chrF2 of the outputs, empty outputs, time per sentence and every output.
import { defaultDirection, HELDOUT_LANGUAGES, loadHeldoutTranslation, type HeldoutHalf, type HeldoutLanguage, type HeldoutSentence } from '../corpora/index.ts';
import {
  corpusBleuFromLines,
  corpusChrf,
  DecodeScheduler,
  encodePairs,
  measurePerplexity,
  planReply,
  renderOutput,
  respond,
  type Pipeline,
  type ReplyModels,
} from '../engine/index.ts';

export interface TranslateDirection {
  source: HeldoutLanguage;
  target: HeldoutLanguage;
}

export interface HeldoutTranslation {
  id: string;
  output: string;
}

export interface HeldoutTranslateResult {
  heldout: 'translate';
  split: HeldoutHalf | 'all';
  /** source-target, as config.json and --direction write it. */
  direction: string;
  decoding: Record<string, unknown>;
  sentences: number;
  /** Of the references given their sources (teacher-forced), over the split. */
  perplexity: number;
  /** Parley's corpus BLEU (NLTK's, over space-separated tokens), in [0, 1]. */
  bleu: number;
  bleuDetail: { precisions: number[]; brevityPenalty: number; hypothesisLength: number; referenceLength: number };
  /** chrF2 as sacreBLEU computes it by default, in [0, 1]. */
  chrf: number;
  emptyOutputs: number;
  /** Wall-clock of the setting's translations (64 rows decoded together, as the server does). */
  timing: { totalMs: number; msPerSentence: number };
  outputs: HeldoutTranslation[];
}

const BATCH_ROWS = 64;
const DIRECTION = /^([a-z]{2,3})-([a-z]{2,3})$/;

const isSetLanguage = (l: string): l is HeldoutLanguage => (HELDOUT_LANGUAGES as readonly string[]).includes(l);

/**
 * The languages a translate model reads and writes: config.json's `direction` (parley train --direction),
 * else that of the Tatoeba corpus it names, which trains xx→en unless told otherwise (corpora/load.ts).
 */
export function modelDirection(pipeline: Pick<Pipeline, 'dir' | 'meta'>): TranslateDirection {
  const { meta } = pipeline;
  const where = pipeline.dir ?? 'the model';
  let direction: string;
  if (typeof meta.direction === 'string') {
    direction = meta.direction;
  } else {
    const corpora = Array.isArray(meta.corpora) ? (meta.corpora as unknown[]) : [];
    const tatoeba = corpora.filter((c): c is string => typeof c === 'string' && defaultDirection(c) !== undefined);
    const defaults = [...new Set(tatoeba.map((c) => defaultDirection(c)!))];
    if (defaults.length !== 1 || tatoeba.length !== corpora.length) {
      throw new Error(`${where}/config.json names no "direction", and its corpora (${corpora.map(String).join(', ') || 'none'}) do not say which languages it translates; retrain with --direction (e.g. fr-en)`);
    }
    direction = defaults[0]!;
  }
  const m = DIRECTION.exec(direction);
  if (!m || m[1] === m[2]) throw new Error(`${where}/config.json direction must look like fr-en, got ${JSON.stringify(direction)}`);
  const [, source, target] = m as unknown as [string, string, string];
  if (!isSetLanguage(source) || !isSetLanguage(target)) {
    throw new Error(`${where} translates ${direction}, but the held-out set has only ${HELDOUT_LANGUAGES.join(', ')}`);
  }
  return { source, target };
}

/** Each source's translation as served under one setting, in order, with the wall-clock they took. */
async function translateAll(pipeline: Pipeline, sources: readonly string[], decoding: Record<string, unknown>) {
  const models: ReplyModels = { forward: pipeline, backward: null, index: null };
  const plan = planReply(models, decoding);
  const scheduler = new DecodeScheduler(pipeline.stepModel, { maxQueue: sources.length, maxBatchRows: BATCH_ROWS });
  const started = performance.now();
  try {
    const outputs = await Promise.all(sources.map(async (input) => {
      const source = pipeline.encodeInput(input);
      const { ranked } = await respond(models, {
        input, source, message: input, options: decoding, plan,
        search: (options) => scheduler.submit({ source, options }),
      });
      return renderOutput(pipeline.decodeOutput(ranked[0]!.tokens, input)).text;
    }));
    return { outputs, totalMs: performance.now() - started };
  } finally {
    await scheduler.close();
  }
}

function score(sentences: readonly HeldoutSentence[], outputs: readonly string[], direction: TranslateDirection) {
  const references = sentences.map((s) => s[direction.target]);
  const { bleu, ...bleuDetail } = corpusBleuFromLines(outputs, references);
  return { bleu, bleuDetail, chrf: corpusChrf(outputs, references).chrf, emptyOutputs: outputs.filter((o) => o.trim() === '').length };
}

/**
 * One result per decoding setting (each given to `onResult` when done, so a sweep's early settings
 * survive a late failure); the references' perplexity, which does not decode, is measured once.
 */
export async function evaluateHeldoutTranslate(
  pipeline: Pipeline,
  split: HeldoutHalf | 'all',
  settings: readonly Record<string, unknown>[],
  onResult?: (result: HeldoutTranslateResult) => void,
): Promise<HeldoutTranslateResult[]> {
  if (pipeline.task !== 'translate') throw new Error(`--heldout translate needs a translate model; this one does the ${pipeline.task} task`);
  const direction = modelDirection(pipeline);
  const sentences = await loadHeldoutTranslation({ split });
  const sources = sentences.map((s) => s[direction.source]);
  const perplexity = measurePerplexity(pipeline, encodePairs(pipeline, sentences.map((s, i) => ({ input: sources[i]!, target: s[direction.target] }))));
  const results: HeldoutTranslateResult[] = [];
  for (const decoding of settings) {
    const { outputs, totalMs } = await translateAll(pipeline, sources, decoding);
    const result: HeldoutTranslateResult = {
      heldout: 'translate',
      split,
      direction: `${direction.source}-${direction.target}`,
      decoding,
      sentences: sentences.length,
      perplexity,
      ...score(sentences, outputs, direction),
      timing: { totalMs, msPerSentence: totalMs / sentences.length },
      outputs: sentences.map((s, i) => ({ id: s.id, output: outputs[i]! })),
    };
    results.push(result);
    onResult?.(result);
  }
  return results;
}
