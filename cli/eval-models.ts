// `parley eval-models [DIR]` (npm run eval): re-runs the evaluation recorded in each shipped model's
// eval.json and checks that it reproduces the figures printed in the model card.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCommand } from './errors.ts';

const USAGE = 'usage: parley eval-models [MODELS_DIR]   (default: models)';
const bin = fileURLToPath(new URL('../bin/parley.js', import.meta.url));

/** What a model directory records about its evaluation (one record or a list): the exact `parley` arguments and their output. */
interface EvalRecord {
  args: string[];
  /** The output's figures; a list when the args sweep several --options (one JSON line each). */
  metrics: Record<string, unknown> | Record<string, unknown>[];
}

/**
 * Numbers equal to 1e-6 relative; other values exactly. Not tighter: the native matmul's thread count
 * (PARLEY_THREADS) changes the order of float sums, which moves a perplexity in its 8th digit.
 */
function differences(expected: Record<string, unknown>, actual: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, want] of Object.entries(expected)) {
    if (key === 'timing') continue; // wall-clock time of the run: recorded for the card, never reproduced
    const got = actual[key];
    const name = `${prefix}${key}`;
    if (typeof want === 'number' && typeof got === 'number') {
      if (Math.abs(want - got) > 1e-6 * Math.max(1, Math.abs(want))) out.push(`${name}: card ${want}, now ${got}`);
    } else if (want && typeof want === 'object' && !Array.isArray(want) && got && typeof got === 'object') {
      out.push(...differences(want as Record<string, unknown>, got as Record<string, unknown>, `${name}.`));
    } else if (JSON.stringify(want) !== JSON.stringify(got)) {
      out.push(`${name}: card ${JSON.stringify(want)}, now ${JSON.stringify(got)}`);
    }
  }
  return out;
}

/** Runs one recorded evaluation and prints a JSON line; true when it reproduces the recorded figures. */
function check(model: string, record: EvalRecord): boolean {
  const child = spawnSync(process.execPath, [bin, ...record.args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (child.status !== 0) {
    console.log(JSON.stringify({ model, ok: false, error: child.stderr.trim().split('\n').at(-1) }));
    return false;
  }
  const lines = child.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const expected = Array.isArray(record.metrics) ? record.metrics : [record.metrics];
  const actual = Array.isArray(record.metrics) ? lines : lines.slice(-1);
  const diff = actual.length === expected.length
    ? expected.flatMap((want, i) => differences(want, actual[i]!, expected.length > 1 ? `[${i}].` : ''))
    : [`result lines: ${expected.length} recorded, ${actual.length} now`];
  const metrics = Array.isArray(record.metrics) ? actual : actual[0];
  console.log(JSON.stringify({ model, ok: diff.length === 0, ...(diff.length ? { differences: diff } : {}), metrics }));
  return diff.length === 0;
}

export async function run(args: string[]): Promise<number> {
  return runCommand('eval-models', USAGE, async () => {
    const root = args[0] ?? 'models';
    const dirs = readdirSync(root).filter((d) => existsSync(path.join(root, d, 'eval.json'))).sort();
    if (dirs.length === 0) throw new Error(`no model directory with an eval.json under ${root}`);
    let failed = 0;
    for (const d of dirs) {
      const recorded = JSON.parse(readFileSync(path.join(root, d, 'eval.json'), 'utf8')) as EvalRecord | EvalRecord[];
      for (const record of Array.isArray(recorded) ? recorded : [recorded]) if (!check(d, record)) failed++;
    }
    return failed === 0 ? 0 : 1;
  });
}
