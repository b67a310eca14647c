// The held-out pairs `parley eval` scores a model on: the corpora, direction, data seed and context turns
// its config.json recorded (flags override them), one split. Shared with bench/translate-ids.ts, so a
// PyTorch reference decodes exactly the sentences Parley's BLEU is measured on.
import { IssueLog, type Split } from '../corpora/index.ts';
import type { PipelineMeta, PipelineTask, TextPair } from '../engine/index.ts';
import { checkCorpora, loadTaskPairs } from './corpus-data.ts';
import { parseDirection, positiveInt } from './train-options.ts';

export interface EvalDataFlags {
  corpus?: string[];
  corpora?: string;
  direction?: string;
  seed?: string;
  maxExamples?: number;
}

/** Test BLEU decodes this many pairs spread over the split unless --limit says otherwise. */
export const DEFAULT_EVAL_LIMIT = 500;

export async function loadEvalPairs(
  model: { task: PipelineTask; meta: PipelineMeta },
  split: Split,
  flags: EvalDataFlags,
  log: IssueLog,
): Promise<{ pairs: TextPair[]; corpora: string[] }> {
  const { meta } = model;
  const corpora = flags.corpus ?? ((meta.corpora as string[] | undefined) ?? []);
  checkCorpora(model.task, corpora);
  const direction = flags.direction ?? (typeof meta.direction === 'string' ? meta.direction : undefined);
  const pairs = await loadTaskPairs({
    task: model.task,
    corpora,
    split,
    contextTurns: meta.contextTurns ?? 2,
    ...(direction === undefined ? {} : { direction: parseDirection(direction) }),
    seed: positiveInt('seed', flags.seed, 0) ?? (typeof meta.dataSeed === 'number' ? meta.dataSeed : 1),
    log,
    ...(flags.corpora === undefined ? {} : { dir: flags.corpora }),
    ...(flags.maxExamples === undefined ? {} : { maxExamples: flags.maxExamples }),
    // A tagging parser is scored on targets with the tags it was trained to write (perplexity).
    ...(meta.posTags === undefined ? {} : { posTags: true }),
  });
  return { pairs, corpora };
}
