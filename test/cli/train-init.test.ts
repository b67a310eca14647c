// parley train --init-from DIR: a run starts from a trained model's weights, architecture and tokenizer,
// resumes like any run, and refuses flags and models that do not fit it.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../corpora/paths.ts';
import { initPosTags, readInitModel, runDirection } from '../../cli/train-init.ts';
import { parseTrainFlags } from '../../cli/train-options.ts';
import { initBackend, loadModel } from '../../engine/index.ts';
import { tempDir } from '../helpers/tmp.ts';

const bin = path.join(repoRoot, 'bin/parley.js');
/** Each test spawns a few small trainings, each a fresh Node process. */
const SPAWNING = 180_000;

function parley(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { status: r.status, stderr: r.stderr };
}

const train = (out: string, steps: number, extra: string[] = []) => parley(['train', '--task', 'copy', '--engine', 'tfjs', '--out', out, '--steps', String(steps),
  '--max-examples', '200', '--log-every', '1', '--valid-every', '100', '--checkpoint-every', '2', '--valid-limit', '10', '--seed', '5', ...extra]);

const losses = (dir: string): [number, number][] =>
  readFileSync(path.join(dir, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => 'loss' in e).map((e) => [e.step, e.loss]);

function weights(dir: string): Map<string, Float32Array> {
  const { model } = loadModel(dir);
  try {
    return new Map(model.params.entries().map(([name, t]) => [name, t.dataSync() as Float32Array]));
  } finally {
    model.dispose();
  }
}

describe('parley train --init-from', () => {
  const root = tempDir('parley-init-from');
  const trained = path.join(root, 'trained');

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    const r = train(trained, 60, ['--hidden', '24', '--embedding', '24', '--lr', '5e-3']);
    expect(r.status, r.stderr).toBe(0);
  }, SPAWNING);

  it('starts from the model\'s weights and tokenizer, not from random ones', () => {
    const tuned = path.join(root, 'tuned');
    // The smallest rate moves each weight by about 1e-7 per Adam step: the saved model must still be the one it started from.
    const r = train(tuned, 1, ['--init-from', trained, '--lr', '1e-7']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/starting from .*trained \(its step 60\): its weights, architecture and tokenizer; a fresh optimizer/);
    expect(readFileSync(path.join(tuned, 'tokenizer.model'))).toEqual(readFileSync(path.join(trained, 'tokenizer.model')));
    const before = weights(trained);
    const after = weights(tuned);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, values] of before) {
      const moved = after.get(name)!.reduce((m, v, i) => Math.max(m, Math.abs(v - values[i]!)), 0);
      expect(moved, name).toBeLessThan(1e-4);
    }
    // A fresh model of the same size starts near ln(vocabulary); the started one near where training left it.
    const fresh = path.join(root, 'fresh');
    expect(train(fresh, 1, ['--hidden', '24', '--embedding', '24']).status).toBe(0);
    const lastTrained = losses(trained).at(-1)![1];
    expect(losses(tuned)[0]![1]).toBeLessThan(losses(fresh)[0]![1] - 1);
    expect(losses(tuned)[0]![1]).toBeLessThan(lastTrained + 1);
  }, SPAWNING);

  it('resumes as any run: a run killed at step 4 and resumed logs the losses of one that was not', () => {
    const whole = path.join(root, 'whole');
    const stopped = path.join(root, 'stopped');
    expect(train(whole, 6, ['--init-from', trained, '--dropout', '0.2']).status).toBe(0);
    expect(train(stopped, 4, ['--init-from', trained, '--dropout', '0.2']).status).toBe(0);
    const resumed = train(stopped, 6, ['--init-from', trained, '--dropout', '0.2', '--resume']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed at step 4/);
    expect(resumed.stderr).not.toMatch(/starting from/);
    expect(losses(stopped)).toEqual(losses(whole));
    expect(JSON.parse(readFileSync(path.join(whole, 'training/model.json'), 'utf8')).dropout).toBe(0.2);
  }, SPAWNING);

  it('refuses the flags that would reshape the model, and a directory that is no model', () => {
    expect(() => parseTrainFlags(['--task', 'copy', '--out', 'x', '--init-from', trained, '--hidden', '32', '--vocab-size', '100']))
      .toThrow(/--init-from takes the model's architecture and tokenizer as they are: leave out --hidden, --vocab-size/);
    expect(() => parseTrainFlags(['--task', 'copy', '--out', 'x', '--init-from', root])).toThrow(/is not a model directory \(no config.json\)/);
    const r = train(path.join(root, 'other-task'), 2, ['--init-from', trained, '--task', 'reverse']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--init-from .*trained: the model is a copy model, the run trains --task reverse/);
  }, SPAWNING);

  it('refuses a parser whose trees differ from the run\'s: POS tags or XX, and a forward model for --backward', () => {
    const parser = path.join(root, 'parser');
    mkdirSync(parser, { recursive: true });
    copyFileSync(path.join(trained, 'tokenizer.model'), path.join(parser, 'tokenizer.model'));
    const config = JSON.parse(readFileSync(path.join(trained, 'config.json'), 'utf8'));
    writeFileSync(path.join(parser, 'config.json'), JSON.stringify({ ...config, task: 'parse', pipelineTask: 'parse', posTags: ['DT', 'NN'] }));
    const base = parseTrainFlags(['--task', 'parse', '--out', 'x', '--init-from', parser]).options;
    expect(() => readInitModel({ ...base, initFrom: parser })).toThrow(/the model writes POS tags: add --pos-tags/);
    expect(readInitModel({ ...base, posTags: true, initFrom: parser }).meta.posTags).toEqual(['DT', 'NN']);
    const chat = parseTrainFlags(['--task', 'chat', '--out', 'x', '--backward', '--init-from', trained]).options;
    writeFileSync(path.join(parser, 'config.json'), JSON.stringify({ ...config, task: 'chat', pipelineTask: 'chat' }));
    expect(() => readInitModel({ ...chat, initFrom: parser })).toThrow(/the model is a forward model: leave out --backward/);
  });

  /** A model directory with the trained model's tokenizer and its config.json changed by `meta`. */
  function fakeModel(name: string, meta: Record<string, unknown>): string {
    const dir = path.join(root, name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(trained, 'tokenizer.model'), path.join(dir, 'tokenizer.model'));
    const config = JSON.parse(readFileSync(path.join(trained, 'config.json'), 'utf8'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, ...meta }));
    return dir;
  }

  it('refuses a translation run the other way round from the model, or from a corpus without its languages', () => {
    const frEn = fakeModel('fr-en', { task: 'translate', pipelineTask: 'translate', corpora: ['tatoeba-fra-eng'], direction: 'fr-en' });
    const flags = (...extra: string[]) => parseTrainFlags(['--task', 'translate', '--out', path.join(root, 'tr-out'), '--init-from', frEn, ...extra]).options;
    expect(() => readInitModel({ ...flags('--corpus', 'tatoeba-fra-eng', '--direction', 'en-fr'), initFrom: frEn }))
      .toThrow(/the model translates fr-en, the run asks for --direction en-fr/);
    expect(() => readInitModel({ ...flags('--corpus', 'tatoeba-deu-eng'), initFrom: frEn }))
      .toThrow(/the model translates fr-en, and --corpus tatoeba-deu-eng holds en and de/);
    expect(readInitModel({ ...flags('--corpus', 'tatoeba-fra-eng'), initFrom: frEn }).meta.direction).toBe('fr-en');
    // A model from before config.json recorded its direction translates the way its corpus reads by default.
    const old = fakeModel('old-fr-en', { task: 'translate', pipelineTask: 'translate', corpora: ['tatoeba-fra-eng'], direction: undefined });
    const { meta } = readInitModel({ ...flags('--corpus', 'tatoeba-fra-eng'), initFrom: old });
    expect(runDirection(meta.direction, meta.corpora)).toBe('fr-en');
    expect(() => readInitModel({ ...flags('--corpus', 'tatoeba-fra-eng', '--direction', 'en-fr'), initFrom: old })).toThrow(/the model translates fr-en/);
  });

  it('refuses --out naming the model itself', () => {
    const o = parseTrainFlags(['--task', 'copy', '--out', trained, '--init-from', trained]).options;
    expect(() => readInitModel({ ...o, initFrom: trained })).toThrow(/--out is the model itself/);
  });

  it('keeps the earlier turns a chat model reads unless --context-turns says otherwise', () => {
    const chat = fakeModel('chat0', { task: 'chat', pipelineTask: 'chat', contextTurns: 0 });
    expect(parseTrainFlags(['--task', 'chat', '--out', 'x', '--init-from', chat]).options.contextTurns).toBe(0);
    expect(parseTrainFlags(['--task', 'chat', '--out', 'x', '--init-from', chat, '--context-turns', '3']).options.contextTurns).toBe(3);
    expect(parseTrainFlags(['--task', 'chat', '--out', 'x']).options.contextTurns).toBe(2);
  });

  it('writes the parser\'s own POS tags and refuses training trees with a tag it has no piece for', () => {
    const parser = fakeModel('tagger', { task: 'parse', pipelineTask: 'parse', posTags: ['DT', 'NN', 'VB'] });
    const o = parseTrainFlags(['--task', 'parse', '--out', 'x', '--pos-tags', '--init-from', parser]).options;
    const init = readInitModel({ ...o, initFrom: parser });
    expect(initPosTags(init, ['NN', 'DT'])).toEqual(['DT', 'NN', 'VB']);
    expect(() => initPosTags(init, ['NN', 'JJ', 'RB'])).toThrow(/the training trees hold POS tags the model does not write: JJ, RB/);
  });
});
