import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../corpora/paths.ts';
import { initBackend } from '../../engine/backend.ts';
import { loadPipeline } from '../../engine/pipeline/pipeline.ts';
import { tempDir } from '../helpers/tmp.ts';

const bin = path.join(repoRoot, 'bin/parley.js');

function parley(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', cwd: repoRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = ['--max-examples', '200', '--hidden', '16', '--embedding', '16', '--valid-limit', '20', '--log-every', '5'];
let out: string;
let trained: ReturnType<typeof parley>;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  out = path.join(tempDir('parley-train-cli'), 'model');
  trained = parley(['train', '--task', 'reverse', '--out', out, '--steps', '12', '--valid-every', '6', '--checkpoint-every', '6', ...TINY]);
});

describe('parley train', () => {
  it('writes a model directory the pipeline loads, with tokenizer, log and model card', async () => {
    expect(trained.stderr).toMatch(/backend wasm/);
    expect(trained.status).toBe(0);
    for (const file of ['config.json', 'weights.json', 'tokenizer.model', 'train-log.jsonl', 'MODEL_CARD.md', 'training/checkpoint.json']) {
      expect(existsSync(path.join(out, file)), file).toBe(true);
    }
    const pipeline = await loadPipeline(out);
    expect(pipeline.task).toBe('reverse');
    expect(pipeline.meta.task).toBe('synthetic');
    const [text] = await pipeline.translate(['1 2 3'], { strategy: 'greedy', maxLength: 8 });
    expect(typeof text).toBe('string');
    pipeline.dispose();
    const card = readFileSync(path.join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('parley train --task reverse');
    expect(card).toMatch(/Test metrics/);
  });

  it('logs steps and validations as JSON lines with the documented keys', () => {
    const entries = readFileSync(path.join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const steps = entries.filter((e) => 'loss' in e);
    expect(steps.map((e) => e.step)).toEqual([1, 5, 10]);
    expect(Object.keys(steps[0]).sort()).toEqual(['elapsed', 'gradNorm', 'learningRate', 'loss', 'step', 'tokensPerSecond']);
    const valids = entries.filter((e) => 'valid' in e);
    expect(valids.map((e) => e.step)).toEqual([6, 12]);
    expect(valids[0].valid).toHaveProperty('perplexity');
    expect(valids[0].valid).toHaveProperty('bleu');
    expect(valids[0].valid.samples.length).toBeGreaterThan(0);
    expect(valids[0].valid.decoded).toBe(20);
  });

  it('prints each validation on the usual scales and records the last one in the checkpoint', () => {
    const line = /validation at step 12 \(20 decoded of (\d+) scored\): perplexity ([\d.]+), BLEU ([\d.]+), exact match ([\d.]+)%/.exec(trained.stderr);
    expect(line, trained.stderr).not.toBeNull();
    const last = JSON.parse(readFileSync(path.join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').at(-1)!);
    expect(last.step).toBe(12);
    expect(Number(line![1])).toBe(last.valid.examples);
    expect(Number(line![2])).toBeCloseTo(last.valid.perplexity, 2);
    expect(Number(line![3])).toBeCloseTo(100 * last.valid.bleu, 2);
    const checkpoint = JSON.parse(readFileSync(path.join(out, 'training/checkpoint.json'), 'utf8'));
    const { samples: _s, ...summary } = last.valid;
    expect(checkpoint.data.valid).toEqual({ ...summary, step: 12 });
  });

  it('--select-by bleu keeps the validation with the best BLEU, whatever its perplexity', () => {
    const dir = path.join(tempDir('parley-train-select'), 'model');
    // The synthetic default width (32): this seeded run's BLEU peaks at step 70 and its perplexity keeps falling.
    const r = parley(['train', '--task', 'copy', '--out', dir, '--steps', '80', '--valid-every', '5', '--patience', '20', '--select-by', 'bleu',
      '--max-examples', '200', '--valid-limit', '20', '--log-every', '5']);
    expect(r.status, r.stderr).toBe(0);
    const valids = readFileSync(path.join(dir, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => 'valid' in e);
    expect(valids).toHaveLength(16);
    // The first validation with the highest BLEU (a tie is no improvement)...
    const best = valids.reduce((a, b) => (b.valid.bleu > a.valid.bleu ? b : a));
    // ...which must not be the lowest perplexity's, or this run could not tell the two selections apart.
    const lowest = valids.reduce((a, b) => (b.valid.perplexity < a.valid.perplexity ? b : a));
    expect(best.step).not.toBe(lowest.step);
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config.step).toBe(best.step);
    expect(config.valid.bleu).toBe(best.valid.bleu);
    expect(JSON.parse(readFileSync(path.join(dir, 'training/run.json'), 'utf8')).selectBy).toBe('bleu');
  });

  it('--lr-schedule sets the rate each logged step trains at, and a resumed run keeps it', () => {
    const dir = path.join(tempDir('parley-train-schedule'), 'model');
    const common = ['train', '--task', 'copy', '--out', dir, '--valid-every', '100', '--max-examples', '100', '--log-every', '1', '--lr', '0.004'];
    expect(parley([...common, '--steps', '6', '--lr-schedule', 'inverse-sqrt:4']).status).toBe(0);
    expect(parley([...common, '--steps', '10', '--resume']).status).toBe(0);
    const rates = readFileSync(path.join(dir, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .filter((e) => 'learningRate' in e).map((e) => [e.step, e.learningRate]);
    expect(rates.map(([step]) => step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Linear warm-up to 0.004 over 4 updates, then 0.004·√(4/step).
    for (const [step, rate] of rates) expect(rate).toBeCloseTo(step < 4 ? (0.004 * step) / 4 : 0.004 * Math.sqrt(4 / step), 9);
  });

  it('eval prints the task metrics as one JSON object', () => {
    const r = parley(['eval', '--model', out, '--split', 'test', '--limit', '10']);
    expect(r.status).toBe(0);
    const metrics = JSON.parse(r.stdout);
    expect(metrics).toMatchObject({ task: 'reverse', split: 'test', decoded: 10 });
    expect(metrics.perplexity).toBeGreaterThan(1);
    expect(metrics).toHaveProperty('bleu');
    expect(metrics).toHaveProperty('exactMatch');
  });

  it('decode turns stdin lines into one output line each', () => {
    const r = parley(['decode', '--model', out, '--beam', '2', '--max-length', '6'], '1 2\n3 4 5\n');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l !== '')).toHaveLength(2);
  });

  it('decode answers a blank input line with a blank output line, keeping lines aligned', () => {
    const r = parley(['decode', '--model', out, '--beam', '1', '--max-length', '6', '--batch', '2'], '1 2\n\n3 4 5\n2 1\n');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe('');
    expect(lines[4]).toBe('');
  });

  it('decode refuses sampling flags without --sample, and --beam with it', () => {
    const temperature = parley(['decode', '--model', out, '--beam', '3', '--temperature', '0.5'], '1 2\n');
    expect(temperature.status).toBe(2);
    expect(temperature.stderr).toMatch(/--temperature only applies with --sample/);
    const beam = parley(['decode', '--model', out, '--sample', '--beam', '3'], '1 2\n');
    expect(beam.status).toBe(2);
    expect(beam.stderr).toMatch(/--beam and --sample/);
  });
});

describe('training on a user\'s own files', () => {
  it('reads .tsv pairs with a direction label, and the server\'s conversations export as a chat corpus', () => {
    const dir = tempDir('parley-own-data');
    const tsv = path.join(dir, 'pairs.tsv');
    writeFileSync(tsv, Array.from({ length: 60 }, (_, i) => `bonjour ${i}\thello ${i}`).join('\n'));
    const translate = parley(['train', '--task', 'translate', '--corpus', tsv, '--direction', 'fr-en', '--out', path.join(dir, 't'), '--steps', '2', ...TINY]);
    expect(translate.stderr).toMatch(/training pairs/);
    expect(translate.status).toBe(0);
    expect(readFileSync(path.join(dir, 't', 'MODEL_CARD.md'), 'utf8')).toContain(`${tsv}: the trainer's own data`);
    const conversations = path.join(dir, 'chats.jsonl');
    const turn = (role: string, text: string) => ({ role, text });
    writeFileSync(conversations, Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ id: `c${i}`, turns: [turn('user', `hi ${i}`), turn('bot', `hello ${i}`), turn('user', 'how are you'), turn('bot', 'fine')] })).join('\n'));
    const chat = parley(['train', '--task', 'chat', '--corpus', conversations, '--out', path.join(dir, 'c'), '--steps', '2', ...TINY]);
    expect(chat.status).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'c', 'config.json'), 'utf8')).corpora).toEqual([conversations]);
  });

  it('refuses a corpus file that does not exist', () => {
    const r = parley(['train', '--task', 'translate', '--corpus', '/nonexistent/pairs.tsv', '--out', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/corpus file \/nonexistent\/pairs.tsv does not exist/);
  });
});

describe('parley eval-models', () => {
  it('passes when a model reproduces its recorded metrics and fails naming the figure that moved', () => {
    const args = ['eval', '--model', out, '--split', 'test', '--limit', '10'];
    const metrics = JSON.parse(parley(args).stdout);
    const models = path.dirname(out);
    writeFileSync(path.join(out, 'eval.json'), JSON.stringify({ args, metrics }));
    const ok = parley(['eval-models', models]);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).ok).toBe(true);
    writeFileSync(path.join(out, 'eval.json'), JSON.stringify({ args, metrics: { ...metrics, bleu: metrics.bleu + 0.5 } }));
    const moved = parley(['eval-models', models]);
    expect(moved.status).toBe(1);
    expect(JSON.parse(moved.stdout).differences).toEqual([`bleu: card ${metrics.bleu + 0.5}, now ${metrics.bleu}`]);
  });

  it('checks a recorded sweep line by line', () => {
    const args = ['eval', '--model', out, '--split', 'test', '--limit', '8', '--options', '{}', '--options', '{"strategy":"beam","beamSize":2}'];
    const lines = parley(args).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const models = path.dirname(out);
    writeFileSync(path.join(out, 'eval.json'), JSON.stringify([{ args, metrics: lines.map((l) => ({ bleu: l.bleu, perplexity: l.perplexity })) }]));
    expect(parley(['eval-models', models]).status).toBe(0);
    writeFileSync(path.join(out, 'eval.json'), JSON.stringify([{ args, metrics: [{ bleu: lines[0].bleu }, { bleu: lines[1].bleu + 1 }] }]));
    const moved = parley(['eval-models', models]);
    expect(moved.status).toBe(1);
    expect(JSON.parse(moved.stdout).differences).toEqual([`[1].bleu: card ${lines[1].bleu + 1}, now ${lines[1].bleu}`]);
    writeFileSync(path.join(out, 'eval.json'), JSON.stringify([{ args, metrics: [{ bleu: lines[0].bleu }] }]));
    expect(JSON.parse(parley(['eval-models', models]).stdout).differences).toEqual(['result lines: 1 recorded, 2 now']);
  });
});

describe('parley eval --engine', () => {
  it('decodes on ONNX Runtime graphs of the same weights to the same figures as tfjs, and refuses an unknown engine', () => {
    const args = ['eval', '--model', out, '--split', 'test', '--limit', '10', '--options', '{}', '--options', '{"strategy":"beam","beamSize":3}'];
    const lines = (extra: string[]) => parley([...args, ...extra]).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const tfjs = lines([]);
    const ort = lines(['--engine', 'onnxruntime']);
    expect(ort.map((l) => l.engine)).toEqual(['onnxruntime', 'onnxruntime']);
    expect(tfjs.map((l) => l.engine)).toEqual([undefined, undefined]);
    ort.forEach((l, i) => {
      expect(l.samples).toEqual(tfjs[i].samples);
      expect(l.bleu).toBeCloseTo(tfjs[i].bleu, 9);
      expect(l.exactMatch).toBe(tfjs[i].exactMatch);
    });
    const bad = parley([...args, '--engine', 'tensorflow']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--engine must be tfjs or onnxruntime, got "tensorflow"/);
  });
});

describe('decoding options as JSON', () => {
  it('eval and decode take --options and refuse an option the engine does not know, by name', () => {
    const ok = parley(['decode', '--model', out, '--options', '{"strategy":"greedy","noRepeatNgram":2,"maxLength":6}'], '1 2 3\n');
    expect(ok.status).toBe(0);
    const evaluated = JSON.parse(parley(['eval', '--model', out, '--limit', '5', '--options', '{"noRepeatNgram":2}']).stdout);
    expect(evaluated.decoding.noRepeatNgram).toBe(2);
    const bad = parley(['decode', '--model', out, '--options', '{"beamWidth":3}'], '1 2\n');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/beamWidth/);
  });

  it('eval sweeps several --options: one line each, the same perplexity, the settings applied in order', () => {
    const r = parley(['eval', '--model', out, '--limit', '6', '--beam', '3', '--options', '{"strategy":"greedy"}', '--options', '{}']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0].decoding.strategy).toBe('greedy');
    expect(lines[1].decoding).toMatchObject({ strategy: 'beam', beamSize: 3 });
    expect(lines[1].perplexity).toBe(lines[0].perplexity);
    expect(lines.map((l) => l.decoded)).toEqual([6, 6]);
    // Each line equals a single-setting run of its own.
    const single = JSON.parse(parley(['eval', '--model', out, '--limit', '6', '--beam', '3']).stdout);
    expect(single.bleu).toBe(lines[1].bleu);
  });

  it('eval refuses a bad setting in a sweep before decoding any', () => {
    const r = parley(['eval', '--model', out, '--limit', '6', '--options', '{}', '--options', '[1]']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--options must be a JSON object/);
  });
});

describe('parley train errors', () => {
  it('refuses an unknown flag or task with the usage and exit status 2', () => {
    const flag = parley(['train', '--task', 'copy', '--out', 'x', '--bogus']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/bogus/);
    expect(flag.stderr).toMatch(/usage: parley train/);
    const task = parley(['train', '--task', 'poetry', '--out', 'x']);
    expect(task.status).toBe(2);
    expect(task.stderr).toMatch(/--task must be one of/);
    const steps = parley(['train', '--task', 'copy', '--out', 'x', '--steps', 'many']);
    expect(steps.status).toBe(2);
  });

  it('names the known corpora when given an unknown one, without a stack trace', () => {
    const r = parley(['train', '--task', 'translate', '--corpus', 'klingon', '--out', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown corpus "klingon"; known: .*tatoeba-fra-eng/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const wrongTask = parley(['train', '--task', 'translate', '--corpus', 'gum', '--out', 'x']);
    expect(wrongTask.status).toBe(2);
    expect(wrongTask.stderr).toMatch(/gum is a parse corpus/);
  });

  it('fails with exit status 1 on an empty corpus and counts bad records with file and line', () => {
    const corpora = tempDir('parley-empty-corpora');
    const dir = path.join(corpora, 'translation/tatoeba-anki-fra-eng');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'fra.txt'), 'no tab here\n');
    const r = parley(['train', '--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--corpora', corpora, '--out', path.join(corpora, 'm')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no (usable|training) examples/);
    expect(r.stderr).toMatch(/1 bad record\(s\) skipped; first: .*fra\.txt:1:/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('eval of a missing model directory is a one-line error', () => {
    const r = parley(['eval', '--model', '/nonexistent/model']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/config\.json is missing/);
  });
});

describe('finishing a run early', () => {
  it('--resume with a spent budget takes no step and keeps the best model\'s record', () => {
    const before = readFileSync(path.join(out, 'weights.json'), 'utf8');
    const r = parley(['train', '--task', 'reverse', '--out', out, '--resume', '--steps', '6']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(summary.steps).toBe(12);
    expect(summary.best?.step).toBeGreaterThan(0);
    expect(readFileSync(path.join(out, 'weights.json'), 'utf8')).toBe(before);
  });
});
