// kill -9 during training, then --resume: the resumed run must log the same losses, step for step, as
// a run that was never interrupted (same data order, optimizer state and dropout RNG).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../corpora/paths.ts';
import { resolveLayout } from '../../cli/train-resume.ts';
import { tempDir } from '../helpers/tmp.ts';

const bin = path.join(repoRoot, 'bin/parley.js');
const STEPS = 30;
let engine = 'tfjs';
const args = (out: string) => ['train', '--engine', engine, '--task', 'copy', '--out', out, '--steps', String(STEPS), '--checkpoint-every', '10', '--log-every', '1',
  '--valid-every', '100', '--max-examples', '200', '--hidden', '16', '--embedding', '16', '--valid-limit', '10', '--dropout', '0.2', '--seed', '7'];

function losses(out: string): [number, number][] {
  return readFileSync(path.join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .filter((e) => 'loss' in e).map((e) => [e.step, e.loss]);
}

/** Starts a training child, SIGKILLs it as soon as its first checkpoint exists; resolves to the checkpoint step then. */
function killAfterFirstCheckpoint(out: string): Promise<number> {
  const pointer = path.join(out, 'training/checkpoint.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args(out)], { cwd: repoRoot, stdio: 'ignore' });
    let stepAtKill = -1;
    const timer = setInterval(() => {
      if (!existsSync(pointer)) return;
      clearInterval(timer);
      child.kill('SIGKILL');
      stepAtKill = JSON.parse(readFileSync(pointer, 'utf8')).step;
    }, 20);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal !== 'SIGKILL') reject(new Error(`training ended on its own (code ${code}) before it could be killed`));
      else resolve(stepAtKill);
    });
  });
}

describe.each(['tfjs', 'onnxruntime'])('parley train --engine %s --resume after kill -9', (name) => {
  it('continues from the last checkpoint with the same data order, optimizer state and dropout draws', async () => {
    engine = name;
    const dir = tempDir('parley-resume');
    const whole = path.join(dir, 'whole');
    const killed = path.join(dir, 'killed');
    expect(spawnSync(process.execPath, [bin, ...args(whole)], { cwd: repoRoot, encoding: 'utf8' }).status).toBe(0);

    const checkpointStep = await killAfterFirstCheckpoint(killed);
    expect(checkpointStep).toBeGreaterThanOrEqual(10);
    expect(checkpointStep).toBeLessThan(STEPS);
    // The ORT resume is asked for another step-graph layout: the run must keep the one it began with
    // (one planned pair pads these batches differently, which would draw other dropout masks).
    const env = name === 'onnxruntime' ? { ...process.env, PARLEY_ORT_SHAPES: '1' } : process.env;
    const resumed = spawnSync(process.execPath, [bin, ...args(killed), '--resume'], { cwd: repoRoot, encoding: 'utf8', env });
    if (name === 'onnxruntime') expect(resumed.stderr).toMatch(/PARLEY_ORT_SHAPES=1 ignored on --resume: the run began with the default layout/);
    expect(resumed.stderr).toMatch(new RegExp(`training engine ${name} \\(asked for\\)`));
    expect(resumed.stderr).toMatch(new RegExp(`resumed at step ${checkpointStep}`));
    expect(resumed.status).toBe(0);

    const expected = losses(whole);
    expect(expected).toHaveLength(STEPS);
    expect(losses(killed)).toEqual(expected);
  });
});

describe('a run begun on tfjs and resumed on ONNX Runtime', () => {
  it('records no layout for tfjs, then pins the one ORT first trains it with, without claiming it kept one or saving that resume\'s budget', () => {
    const out = path.join(tempDir('parley-resume-engines'), 'model');
    const run = (extra: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [bin, ...args(out), ...extra], { cwd: repoRoot, encoding: 'utf8', env });
    engine = 'tfjs';
    const first = run(['--steps', '10']);
    expect(first.status, first.stderr).toBe(0);
    const saved = () => JSON.parse(readFileSync(path.join(out, 'training/run.json'), 'utf8'));
    expect(saved()).not.toHaveProperty('ortLayout');
    engine = 'onnxruntime';
    const resumed = run(['--steps', '20', '--resume'], { ...process.env, PARLEY_ORT_SHAPES: '4' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed at step 10/);
    expect(resumed.stderr).not.toMatch(/ignored on --resume/);
    expect(saved().ortLayout).toEqual({ PARLEY_ORT_SHAPES: '4' });
    // Pinning rewrites the run as it began, not with this resume's budget.
    expect(saved().steps).toBe(10);
    // From then on the run keeps that layout like any ORT run.
    const again = run(['--steps', '25', '--resume', '--select-by', 'bleu', '--lr-schedule', 'inverse-sqrt:5'], process.env);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/--select-by bleu ignored on --resume: the run keeps selecting by perplexity/);
    expect(again.stderr).toMatch(/--lr-schedule ignored on --resume: the run keeps the schedule it began with \(constant\)/);
    expect(saved()).not.toHaveProperty('selectBy');
    expect(again.stderr).toMatch(/the default layout ignored on --resume: the run began with PARLEY_ORT_SHAPES=4/);
  });
});

describe('resolveLayout', () => {
  it('keeps the layout a run began with, says when the environment asked for another, and takes the environment for runs saved before layouts were', () => {
    expect(resolveLayout({}, {})).toEqual({ layout: {}, note: null });
    expect(resolveLayout({ PARLEY_ORT_SHAPES: '16' }, { PARLEY_ORT_SHAPES: '16' })).toEqual({ layout: { PARLEY_ORT_SHAPES: '16' }, note: null });
    const changed = resolveLayout({ PARLEY_ORT_SHAPES: '16' }, { PARLEY_ORT_GRID: '1x1' });
    expect(changed.layout).toEqual({ PARLEY_ORT_SHAPES: '16' });
    expect(changed.note).toMatch(/^PARLEY_ORT_GRID=1x1 ignored on --resume: the run began with PARLEY_ORT_SHAPES=16/);
    expect(resolveLayout({ PARLEY_ORT_GRID: '8x4' }, {}).note).toMatch(/^the default layout ignored/);
    expect(resolveLayout(undefined, { PARLEY_ORT_SHAPES: '4', PARLEY_ORT_GRID: '' })).toEqual({ layout: { PARLEY_ORT_SHAPES: '4' }, note: null });
  });
});
