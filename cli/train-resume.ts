// What a run keeps across --resume: its saved flags (training/run.json), the ORT step-graph layout it
// began with, and the best validation score so far, including checkpoints written before scores.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { hasTrainingCheckpoint, type TrainPosition } from '../engine/index.ts';
import type { SelectBy, TrainRunOptions } from './train-options.ts';
import type { ValidSummary } from './train-validate.ts';

/** The run's flags as it began, read back on --resume. */
export const RUN_FILE = 'training/run.json';

/** The environment variables that lay out the ORT engine's step graphs (train-engine.ts runGrid). */
export const ORT_LAYOUT_VARS = ['PARLEY_ORT_GRID', 'PARLEY_ORT_SHAPES'] as const;

/** The layout settings this environment gives: only the variables that are set. */
export function layoutOf(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(ORT_LAYOUT_VARS.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]!]));
}

const describeLayout = (l: Record<string, string>) => Object.keys(l).length === 0 ? 'the default layout' : Object.entries(l).map(([k, v]) => `${k}=${v}`).join(' ');

/**
 * The layout a run trains with: a fresh run takes the environment's; a resumed one keeps the layout it
 * began with, as it keeps its other flags, because batches padded another way draw other dropout masks
 * and the losses would silently stop repeating an uninterrupted run's. A run saved before layouts were
 * recorded takes the environment's. `note` is the line to print when the environment asked for another.
 */
export function resolveLayout(saved: Record<string, string> | undefined, env: NodeJS.ProcessEnv): { layout: Record<string, string>; note: string | null } {
  const asked = layoutOf(env);
  if (saved === undefined) return { layout: asked, note: null };
  const same = ORT_LAYOUT_VARS.every((k) => saved[k] === asked[k]);
  return {
    layout: saved,
    note: same ? null : `${describeLayout(asked)} ignored on --resume: the run began with ${describeLayout(saved)} and keeps it, so its batches, dropout draws and losses stay those of an uninterrupted run`,
  };
}

/**
 * Reads the saved run on --resume (flags other than the budget are ignored then). `saved` is the run as
 * it began, without this call's budget, for rewriting run.json; `notes` name the flags that would
 * change how the run trains and that a resume ignores (the checkpoint's best score is in the saved
 * selection's units, the schedule a function of the step the run began with).
 */
export function resolveRun(o: TrainRunOptions, resume: boolean): { options: TrainRunOptions; resuming: boolean; saved?: TrainRunOptions; notes: string[] } {
  const file = path.join(o.out, RUN_FILE);
  if (!resume || !hasTrainingCheckpoint(o.out) || !existsSync(file)) return { options: o, resuming: false, notes: [] };
  const saved = JSON.parse(readFileSync(file, 'utf8')) as TrainRunOptions;
  const budget = { steps: o.steps, epochs: o.epochs, timeBudgetMs: o.timeBudgetMs };
  const merged: TrainRunOptions = { ...saved };
  for (const [k, v] of Object.entries(budget)) if (v !== undefined) Object.assign(merged, { [k]: v });
  const notes: string[] = [];
  // Only a flag given now differs from its absent default; one left out says nothing about the saved run.
  if (o.selectBy !== undefined && o.selectBy !== saved.selectBy) notes.push(`--select-by ${o.selectBy} ignored on --resume: the run keeps selecting by ${saved.selectBy ?? 'perplexity'}, the measure its best score so far is in`);
  if (o.initFrom !== undefined && o.initFrom !== saved.initFrom) notes.push(`--init-from ignored on --resume: the run continues from its own checkpoint (it began ${saved.initFrom === undefined ? 'from random weights' : `from ${saved.initFrom}`})`);
  if (o.schedule !== undefined && JSON.stringify(o.schedule) !== JSON.stringify(saved.schedule)) notes.push(`--lr-schedule ignored on --resume: the run keeps the schedule it began with (${saved.schedule?.kind ?? 'constant'})`);
  if (o.contextRepeat !== undefined && o.contextRepeat !== saved.contextRepeat) notes.push(`--context-repeat ignored on --resume: the run keeps the training pairs it began with (${saved.contextRepeat === undefined ? 'none repeated' : `context pairs ×${saved.contextRepeat + 1}`}), which its checkpoint's place in the data counts`);
  return { options: merged, resuming: true, saved, notes };
}

/** The score trainLoop keeps the best validation by, higher is better; a missing figure is NaN, which it refuses. */
export function selectionScore(by: SelectBy): (v: ValidSummary) => number {
  if (by === 'perplexity') return (v) => -v.perplexity;
  return (v) => v[by] ?? Number.NaN;
}

/** A checkpoint's position; those saved before selection scores kept `bestPerplexity` (always by perplexity). */
export function withBestScore(data: TrainPosition & { bestPerplexity?: number | null }): TrainPosition {
  const { bestPerplexity, ...rest } = data;
  if (rest.bestScore !== undefined) return rest;
  return { ...rest, bestScore: bestPerplexity === undefined || bestPerplexity === null ? null : -bestPerplexity };
}
