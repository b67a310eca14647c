// One run, two engines: a model trained on ONNX Runtime resumes on tfjs (and the other way), and
// without dropout both engines follow the same losses step for step from the same initial weights.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../corpora/paths.ts';
import { tempDir } from '../helpers/tmp.ts';

const bin = path.join(repoRoot, 'bin/parley.js');
const args = (out: string, engine: string, steps: number) => ['train', '--engine', engine, '--task', 'reverse', '--out', out, '--steps', String(steps),
  '--checkpoint-every', '5', '--log-every', '1', '--valid-every', '100', '--max-examples', '200', '--hidden', '16', '--embedding', '16',
  '--valid-limit', '10', '--dropout', '0', '--seed', '3'];

function train(out: string, engine: string, steps: number, resume = false) {
  const r = spawnSync(process.execPath, [bin, ...args(out, engine, steps), ...(resume ? ['--resume'] : [])], { cwd: repoRoot, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toContain(`training engine ${engine} (asked for)`);
  return r.stderr;
}

function losses(out: string): number[] {
  return readFileSync(path.join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .filter((e) => 'loss' in e).map((e) => e.loss);
}

describe('parley train across engines', () => {
  it('resumes an onnxruntime run on tfjs and a tfjs run on onnxruntime, on the same loss curve', () => {
    const dir = tempDir('parley-engines');
    const reference = path.join(dir, 'tfjs');
    train(reference, 'tfjs', 16);
    const ortFirst = path.join(dir, 'ort-then-tfjs');
    train(ortFirst, 'onnxruntime', 8);
    expect(train(ortFirst, 'tfjs', 16, true)).toMatch(/resumed at step 8/);
    const tfjsFirst = path.join(dir, 'tfjs-then-ort');
    train(tfjsFirst, 'tfjs', 8);
    expect(train(tfjsFirst, 'onnxruntime', 16, true)).toMatch(/resumed at step 8/);
    const want = losses(reference);
    expect(want).toHaveLength(16);
    for (const run of [ortFirst, tfjsFirst]) {
      const got = losses(run);
      expect(got).toHaveLength(16);
      got.forEach((loss, k) => expect(Math.abs(loss - want[k]!) / want[k]!, `${path.basename(run)} step ${k + 1}`).toBeLessThan(1e-3));
    }
  });
});
