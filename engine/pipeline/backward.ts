// MMI-bidi for served chat models (Li et al. 2016): a backward model p(message | reply), trained on the
// same pairs with input and target swapped, named by the forward model's config.json `backward` (a path
// relative to its directory) and loaded with it. The backward model reads only the reply, no context.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { scoreTargets } from '../decoding/rerank.ts';
import { loadPipeline, type Pipeline } from './pipeline.ts';

export class BackwardModelError extends Error {
  override readonly name = 'BackwardModelError';
}

/** The backward model's directory named by a forward model's meta, or null when it names none. */
export function backwardDirOf(dir: string, meta: Readonly<Record<string, unknown>>): string | null {
  const named = meta.backward;
  if (named === undefined || named === null) return null;
  if (typeof named !== 'string' || named.trim() === '') {
    throw new BackwardModelError(`${path.join(dir, 'config.json')}: backward must be a directory path, got ${JSON.stringify(named)}`);
  }
  return path.resolve(dir, named);
}

/** Loads the backward chat model a forward model names; every failure names both directories. */
export async function loadBackward(forward: Pipeline): Promise<Pipeline | null> {
  if (!forward.dir) return null;
  const dir = backwardDirOf(forward.dir, forward.meta);
  if (dir === null) return null;
  const where = `${path.join(forward.dir, 'config.json')} names backward model ${dir}`;
  if (forward.task !== 'chat') throw new BackwardModelError(`${where}, but MMI-bidi reranks chat replies and this is a ${forward.task} model`);
  if (!existsSync(path.join(dir, 'config.json'))) throw new BackwardModelError(`${where}, which has no config.json`);
  let backward: Pipeline;
  try {
    backward = await loadPipeline(dir);
  } catch (e) {
    throw new BackwardModelError(`${where}, which does not load: ${(e as Error).message}`);
  }
  if (backward.task !== 'chat') {
    backward.dispose();
    throw new BackwardModelError(`${where}, which is a ${backward.task} model, not chat`);
  }
  return backward;
}

/**
 * log p(message | reply) for each reply, teacher-forced through the backward model. An empty reply
 * explains nothing and cannot be encoded as a source: it gets -Infinity.
 */
export async function backwardLogProbs(backward: Pipeline, message: string, replies: readonly string[]): Promise<number[]> {
  const target = backward.codec.encodeTarget(message);
  const sources = replies.map((r) => backward.encodeInput([r]));
  const scorable = sources.map((s, i) => i).filter((i) => sources[i]!.length > 0);
  const scores = await scoreTargets(backward.stepModel, scorable.map((i) => sources[i]!), scorable.map(() => target));
  const out = replies.map(() => -Infinity);
  scorable.forEach((i, k) => (out[i] = scores[k]!));
  return out;
}
