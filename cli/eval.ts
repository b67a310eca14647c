// `parley eval`: a model directory's task metrics on one split of a corpus (or its synthetic task),
// printed as one JSON object: perplexity, and BLEU / parse figures (F1, P, R, exact match, F1 over 5–18
// words, tagging accuracy, repair rate) / reply statistics and hits@1/20 by task; or a chat or
// translate model on Parley's own held-out sets (--heldout chat | translate).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { IssueLog, SPLITS, type Split } from '../corpora/index.ts';
import {
  buildOnnxGraphs,
  contextGain,
  defaultDecoding,
  encodePairs,
  hitsAtOne,
  initBackend,
  loadBackward,
  loadPipeline,
  MAX_RETRIEVED,
  OrtStepModel,
  parseThreadsEnv,
  measurePerplexity,
  parseDecodingOptions,
  ReplyIndex,
  RETRIEVAL_DIR,
  scoreDecoding,
  spread,
  withDecodingDefaults,
  type Pipeline,
  type ReplyModels,
} from '../engine/index.ts';
import { UsageError } from './corpus-data.ts';
import { decodingJson } from './decoding-json.ts';
import { runCommand } from './errors.ts';
import { heldoutSection } from './eval-card.ts';
import { heldoutTranslateSection } from './eval-card-translate.ts';
import { evaluateHeldout, type HeldoutSetting } from './eval-heldout.ts';
import { evaluateHeldoutTranslate } from './eval-heldout-translate.ts';
import { DEFAULT_EVAL_LIMIT, loadEvalPairs } from './eval-pairs.ts';
import { positiveInt } from './train-options.ts';

const USAGE = `usage: parley eval --model DIR [--corpus NAME...] [--split test|valid|train] [--corpora DIR] [--direction fr-en]
  [--beam N] [--limit N] [--max-examples N] [--seed N] [--options JSON]... [--engine tfjs|onnxruntime]
       parley eval --model DIR --heldout chat [--split test|dev|all] [--options JSON]... [--markdown FILE]
  [--retrieved K] [--backward DIR]
       parley eval --model DIR --heldout translate [--split test|dev|all] [--options JSON]... [--markdown FILE]
  (synthetic-task models need no --corpus: their data is generated;
   several --options sweep decoding settings: perplexity is measured once, then one JSON line per setting;
   --engine onnxruntime decodes on ONNX Runtime graphs built from the weights (4-7x faster; default tfjs);
   chat: hits@1/20 ranks each of the decoded examples' true reply against 19 from the same split;
   the context gain scores the true replies of up to --limit pairs that have earlier turns (spread
   over the split) with those turns and with the last message alone;
   --heldout decodes as the model is served (its own defaults under --options), and --markdown
   writes the model card section with every reply or translation; translate takes the languages
   from the model's config.json and reports BLEU, chrF2 and empty outputs; --retrieved K adds the
   replies of the K nearest training prompts (DIR/${RETRIEVAL_DIR}/, parley index) to each pool, as config.json retrieval.k does,
   and an --options "retrieved" sets it per setting; --backward names the backward model for mmiBidi
   instead of the one config.json names)`;

const DECODE_ENGINES: readonly string[] = ['tfjs', 'onnxruntime'];

const HELDOUT_SPLITS = { test: 'test', dev: 'dev', valid: 'dev', all: 'all' } as const;

/** k of the retrieved pool, 0..MAX_RETRIEVED, from a flag or an --options "retrieved". */
function poolSize(where: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const k = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > MAX_RETRIEVED) {
    throw new UsageError(`${where} must be an integer in [0, ${MAX_RETRIEVED}], got ${JSON.stringify(value)}`);
  }
  return k;
}

/** The chat model with the backward model and the retrieval index it is served with (or those the flags name). */
async function servedModels(pipeline: Pipeline, v: { model: string; backward?: string }): Promise<ReplyModels> {
  const index = ReplyIndex.load(v.model);
  if (v.backward === undefined) return { forward: pipeline, backward: await loadBackward(pipeline), index };
  const backward = await loadPipeline(v.backward);
  if (backward.task !== 'chat') {
    backward.dispose();
    throw new UsageError(`--backward: ${v.backward} is a ${backward.task} model, not chat`);
  }
  return { forward: pipeline, backward, index };
}

interface HeldoutFlags {
  heldout: string;
  model: string;
  split?: string;
  options?: string[];
  markdown?: string;
  retrieved?: string;
  backward?: string;
}

function heldoutSplit(v: HeldoutFlags) {
  const name = v.split ?? 'test';
  if (!Object.hasOwn(HELDOUT_SPLITS, name)) throw new UsageError(`--split for --heldout must be test, dev or all, got "${name}"`);
  return HELDOUT_SPLITS[name as keyof typeof HELDOUT_SPLITS];
}

/** Writes the card sections to --markdown, showing the evaluation's own command, not where this copy of them was written. */
async function writeSections(v: HeldoutFlags, args: string[], sections: (command: string) => Promise<string[]>): Promise<void> {
  if (v.markdown === undefined) return;
  const shown = args.filter((a, i) => a !== '--markdown' && args[i - 1] !== '--markdown' && !a.startsWith('--markdown='));
  const command = `parley ${['eval', ...shown].map((a) => (/^[\w./@:=-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`;
  writeFileSync(v.markdown, (await sections(command)).join('\n'));
}

/** A translate model on the held-out translation set: every setting parsed before any decoding. */
async function runHeldoutTranslate(pipeline: Pipeline, v: HeldoutFlags, args: string[]): Promise<number> {
  if (v.retrieved !== undefined || v.backward !== undefined) throw new UsageError('--retrieved and --backward are for --heldout chat');
  const split = heldoutSplit(v);
  const settings = (v.options ?? [undefined]).map((o) => {
    const given = decodingJson(o);
    if ('retrieved' in given) throw new UsageError('--options "retrieved" is a chat reply\'s pool; a translation has none');
    const decoding = withDecodingDefaults(pipeline.decodingDefaults, given);
    try {
      parseDecodingOptions(decoding);
    } catch (e) {
      throw new UsageError(`--options ${o ?? '{}'}: ${(e as Error).message}`);
    }
    return decoding;
  });
  const results = await evaluateHeldoutTranslate(pipeline, split, settings, (r) => console.log(JSON.stringify({ model: v.model, ...r })));
  await writeSections(v, args, (command) => Promise.all(results.map((r) => heldoutTranslateSection(r, command))));
  return 0;
}

async function runHeldout(pipeline: Pipeline, v: HeldoutFlags, args: string[]): Promise<number> {
  if (v.heldout === 'translate') return runHeldoutTranslate(pipeline, v, args);
  if (v.heldout !== 'chat') throw new UsageError(`--heldout must be chat or translate, got "${v.heldout}"`);
  const split = heldoutSplit(v);
  const k = poolSize('--retrieved', v.retrieved);
  // `retrieved` is the pool's, as in a request to the server: taken off before the decoding defaults.
  const settings: HeldoutSetting[] = (v.options ?? [undefined]).map((o) => {
    const { retrieved, ...given } = decodingJson(o);
    const asked = poolSize('--options "retrieved"', retrieved) ?? k;
    return { decoding: withDecodingDefaults(pipeline.decodingDefaults, given), ...(asked === undefined ? {} : { retrieved: asked }) };
  });
  const models = await servedModels(pipeline, v);
  try {
    if (!models.index && settings.some((s) => (s.retrieved ?? 0) > 0)) {
      throw new UsageError(`a retrieved pool needs ${v.model}/${RETRIEVAL_DIR}/, which is missing: parley index --model ${v.model} --corpus ... builds it`);
    }
    const results = await evaluateHeldout(models, split, settings, (r) => console.log(JSON.stringify({ model: v.model, ...r })));
    await writeSections(v, args, (command) => Promise.all(results.map((r) => heldoutSection(r, command))));
    return 0;
  } finally {
    models.backward?.dispose();
  }
}

export async function run(args: string[]): Promise<number> {
  return runCommand('eval', USAGE, async () => {
    const { values: v } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        corpus: { type: 'string', multiple: true },
        corpora: { type: 'string' },
        direction: { type: 'string' },
        split: { type: 'string' },
        beam: { type: 'string' },
        limit: { type: 'string' },
        'max-examples': { type: 'string' },
        seed: { type: 'string' },
        options: { type: 'string', multiple: true },
        heldout: { type: 'string' },
        markdown: { type: 'string' },
        retrieved: { type: 'string' },
        backward: { type: 'string' },
        engine: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (v.help) {
      console.log(USAGE);
      return 0;
    }
    if (v.model === undefined) throw new UsageError('--model DIR is required');
    if (v.heldout === undefined && v.markdown !== undefined) throw new UsageError('--markdown writes the --heldout card section; add --heldout chat or --heldout translate');
    if (v.heldout === undefined && (v.retrieved !== undefined || v.backward !== undefined)) throw new UsageError('--retrieved and --backward evaluate a chat reply as served; add --heldout chat');
    if (v.engine !== undefined && !DECODE_ENGINES.includes(v.engine)) throw new UsageError(`--engine must be ${DECODE_ENGINES.join(' or ')}, got "${v.engine}"`);
    if (v.heldout !== undefined) {
      const refused = (['corpus', 'corpora', 'direction', 'beam', 'limit', 'max-examples', 'seed', 'engine'] as const).filter((k) => v[k] !== undefined);
      if (refused.length > 0) throw new UsageError(`--heldout reads its own set as the model is served; drop --${refused.join(', --')}`);
      await initBackend({ quiet: true });
      const pipeline = await loadPipeline(v.model);
      try {
        return await runHeldout(pipeline, { ...v, heldout: v.heldout, model: v.model }, args);
      } finally {
        pipeline.dispose();
      }
    }
    const split = (v.split ?? 'test') as Split;
    if (!SPLITS.includes(split)) throw new UsageError(`--split must be one of ${SPLITS.join(', ')}, got "${split}"`);
    const beam = positiveInt('beam', v.beam) ?? 1;
    const limit = positiveInt('limit', v.limit) ?? DEFAULT_EVAL_LIMIT;
    const maxExamples = positiveInt('max-examples', v['max-examples']);
    await initBackend({ quiet: true });
    const pipeline = await loadPipeline(v.model);
    try {
      const log = new IssueLog();
      const { pairs, corpora } = await loadEvalPairs(pipeline, split, {
        ...(v.corpus === undefined ? {} : { corpus: v.corpus }),
        ...(v.corpora === undefined ? {} : { corpora: v.corpora }),
        ...(v.direction === undefined ? {} : { direction: v.direction }),
        ...(v.seed === undefined ? {} : { seed: v.seed }),
        ...(maxExamples === undefined ? {} : { maxExamples }),
      }, log);
      if (pairs.length === 0) throw new Error(`no ${split} examples in ${corpora.join(', ') || pipeline.task}${log.count ? `; ${log.summary()}` : ''}`);
      const base = { ...defaultDecoding(pipeline.task), ...(beam === 1 ? {} : { strategy: 'beam', beamSize: beam }) };
      // Parse every setting first, so a typo in the last one fails before minutes of decoding.
      // A setting that picks another strategy drops the flags' beam size rather than being refused.
      const settings = (v.options ?? [undefined]).map((o) => withDecodingDefaults(base, decodingJson(o)));
      const perplexity = measurePerplexity(pipeline, encodePairs(pipeline, pairs));
      // The decoded examples' true replies, each ranked against 19 drawn from the whole split; null
      // when the split has too few distinct replies for 20 candidates (a small corpus of one's own).
      const rankable = new Set(pairs.map((p) => p.target.trim())).size >= 20;
      const hits = pipeline.task !== 'chat' ? {} : { hits1of20: rankable ? (await hitsAtOne(pipeline, pairs, spread(pairs.map((_, i) => i), limit))).hits1 : null };
      // How much the earlier turns raise the true replies' probability, over pairs that have any.
      const withTurns = pipeline.task === 'chat' ? pairs.filter((p) => typeof p.input !== 'string' && p.input.length > 1) : [];
      const gain = withTurns.length === 0 ? {} : { contextGain: await contextGain(pipeline, spread(withTurns, limit).map((p) => ({ turns: p.input as string[], reference: p.target }))) };
      // ONNX Runtime graphs built from the same weights (the server's export), 4–7× faster than the
      // tfjs model; tfjs stays the default, the engine every eval.json was recorded on.
      const stepModel = v.engine === 'onnxruntime' ? await OrtStepModel.create(buildOnnxGraphs(pipeline.model), pipeline.config.specials, { encoderThreads: parseThreadsEnv(), decoderThreads: parseThreadsEnv() }) : undefined;
      try {
        for (const decoding of settings) {
          const metrics = { perplexity, ...hits, ...gain, ...(await scoreDecoding(pipeline, pairs, { decodeLimit: limit, decoding, ...(stepModel ? { stepModel } : {}) })) };
          console.log(JSON.stringify({ model: v.model, task: pipeline.task, corpora, split, beam, decoding, ...(stepModel ? { engine: 'onnxruntime' } : {}), badRecords: log.count, ...metrics }));
        }
      } finally {
        await stepModel?.dispose();
      }
      return 0;
    } finally {
      pipeline.dispose();
    }
  });
}
