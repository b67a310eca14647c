// `parley compare`: a GRU and an LSTM variant of the same model trained on the same data, in the same
// order, for the same budget (Chung et al. 2014, "Empirical Evaluation of Gated Recurrent Neural
// Networks on Sequence Modeling"); prints both validation curves as JSON. With --steps instead of
// --budget the comparison is exactly reproducible from the seed; a time budget depends on the machine.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../engine/index.ts';
import { UsageError, checkCorpora } from './corpus-data.ts';
import { runCommand } from './errors.ts';
import { Progress } from './progress.ts';
import { readTrainLog, type ValidEntry } from './train-log.ts';
import { trainRun } from './train-run.ts';
import { parseTrainFlags } from './train-options.ts';

const USAGE = `usage: parley compare --task TASK [--corpus NAME...] (--budget 5m | --steps N) [--model PRESET] [--out DIR]
  [any parley train flag except --cell, --resume and --time-budget]
  trains DIR/gru and DIR/lstm and prints {task, preset, variants: [{cell, steps, best, curve}]}`;

const CELLS = ['gru', 'lstm'] as const;

export async function run(args: string[]): Promise<number> {
  return runCommand('compare', USAGE, async () => {
    const rest = [...args];
    const at = rest.indexOf('--budget');
    if (at >= 0) rest.splice(at, 1, '--time-budget');
    for (const flag of ['--cell', '--resume']) if (args.includes(flag)) throw new UsageError(`compare sets ${flag} itself`);
    if (args.includes('--help') || args.includes('-h')) {
      console.log(USAGE);
      return 0;
    }
    if (!rest.includes('--time-budget') && !rest.includes('--steps')) throw new UsageError('compare needs --budget DURATION or --steps N');
    if (!rest.includes('--out')) rest.push('--out', mkdtempSync(path.join(os.tmpdir(), 'parley-compare-')));
    const { options } = parseTrainFlags(rest);
    checkCorpora(options.task, options.corpora);
    const backend = await initBackend({ quiet: true });
    console.error(`parley compare: backend ${backend.name}`);
    const variants = [];
    for (const cell of CELLS) {
      const out = path.join(options.out, cell);
      console.error(`— ${cell}: training into ${out}`);
      const progress = new Progress({ ...(options.steps ? { totalSteps: options.steps } : {}), ...(options.timeBudgetMs ? { budgetMs: options.timeBudgetMs } : {}) });
      // Both cells on the reference engine, so the comparison does not move with the engine default.
      const summary = await trainRun({ ...options, cell, out }, { resume: false, progress, engine: 'tfjs' });
      const curve = readTrainLog(path.join(out, 'train-log.jsonl'))
        .filter((e): e is ValidEntry => 'valid' in e)
        .map((e) => {
          const { samples: _s, ...metrics } = e.valid;
          return { step: e.step, ...metrics };
        });
      variants.push({ cell, out, steps: summary.steps, seconds: summary.elapsedMs / 1000, tokensPerSecond: summary.tokensPerSecond, stopped: summary.stopped, best: summary.best, curve });
    }
    console.log(JSON.stringify({ task: options.task, preset: options.preset, corpora: options.corpora, seed: options.seed, budgetSeconds: options.timeBudgetMs ? options.timeBudgetMs / 1000 : null, steps: options.steps ?? null, backend: backend.name, variants }, null, 2));
    return 0;
  });
}
