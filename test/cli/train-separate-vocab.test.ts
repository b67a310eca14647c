// parley train --vocab separate end to end: a tiny fr→en model with a tokenizer and an embedding per
// side trains, resumes where it stopped, evaluates, quantizes, exports, and the server decodes it on
// ONNX Runtime as on tfjs.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../corpora/paths.ts';
import { initBackend, loadPipeline } from '../../engine/index.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { createEngineFactory } from '../../server/service/engine-factory.ts';
import { tempDir } from '../helpers/tmp.ts';

const bin = path.join(repoRoot, 'bin/parley.js');
/** Each test spawns several parley commands (trainings, evals), each a fresh Node process: minutes on a busy machine. */
const SPAWNING = 300_000;

function parley(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 120 French–English pairs: accented French words, so the two sides' vocabularies differ. */
function corpus(file: string): void {
  const subjects = [['le chat', 'the cat'], ['la fille', 'the girl'], ['mon frère', 'my brother'], ['le garçon', 'the boy'], ['ta sœur', 'your sister']];
  const verbs = [['mange', 'eats'], ['préfère', 'prefers'], ['achète', 'buys'], ['déteste', 'hates']];
  const objects = [['une pomme', 'an apple'], ['le fromage', 'the cheese'], ['des pâtes', 'pasta'], ['un gâteau', 'a cake'], ['le pain', 'the bread'], ['une poire', 'a pear']];
  const lines = subjects.flatMap(([sf, se]) => verbs.flatMap(([vf, ve]) => objects.map(([of, oe]) => `${sf} ${vf} ${of} .\t${se} ${ve} ${oe} .`)));
  writeFileSync(file, `${lines.join('\n')}\n`);
}

const losses = (dir: string): [number, number][] =>
  readFileSync(path.join(dir, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => 'loss' in e).map((e) => [e.step, e.loss]);

describe('parley train --vocab separate', () => {
  const root = tempDir('parley-separate-vocab');
  const pairs = path.join(root, 'pairs.tsv');
  const model = path.join(root, 'models', 'fr-en-onnx');
  const train = (out: string, steps: number, extra: string[] = []) => parley(['train', '--task', 'translate', '--corpus', pairs, '--direction', 'fr-en', '--vocab', 'separate',
    '--out', out, '--steps', String(steps), '--checkpoint-every', '2', '--valid-every', '3', '--log-every', '1', '--hidden', '16', '--embedding', '16',
    '--vocab-size', '600', '--valid-limit', '10', '--seed', '3', ...extra]);
  let server: RunningServer | undefined;

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    corpus(pairs);
  });
  afterAll(() => server?.close());

  it('trains a tokenizer and an untied embedding per side, and a resumed run continues the same run', () => {
    const whole = train(path.join(root, 'whole'), 6);
    expect(whole.stderr).toMatch(/vocabularies \d+ source, \d+ target/);
    expect(whole.status).toBe(0);
    const first = train(model, 4);
    expect(first.status).toBe(0);
    const resumed = train(model, 6, ['--resume']);
    expect(resumed.stderr).toMatch(/resumed at step 4/);
    expect(resumed.status).toBe(0);
    expect(losses(model)).toEqual(losses(path.join(root, 'whole')));
    expect(losses(model)).toHaveLength(6);

    const config = JSON.parse(readFileSync(path.join(model, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ tokenizer: 'target.model', sourceTokenizer: 'source.model' });
    expect(config.model.shareEmbeddings).toBe(false);
    expect(config.model.sourceVocabSize).not.toBe(config.model.vocabSize);
    expect(JSON.parse(readFileSync(path.join(model, 'training/model.json'), 'utf8'))).toEqual(config.model);
    expect(existsSync(path.join(model, 'tokenizer.model'))).toBe(false);
    expect(readFileSync(path.join(model, 'MODEL_CARD.md'), 'utf8')).toMatch(/vocabularies \d+ source and \d+ target, an embedding per side/);
  }, SPAWNING);

  it('evaluates, quantizes and exports the model directory', async () => {
    const evaluate = () => parley(['eval', '--model', model, '--corpus', pairs, '--direction', 'fr-en', '--split', 'test']);
    const evaluated = evaluate();
    expect(evaluated.status).toBe(0);
    const float32 = JSON.parse(evaluated.stdout);
    expect(float32).toMatchObject({ task: 'translate', split: 'test', decoded: 4 });
    expect(float32.perplexity).toBeGreaterThan(1);
    expect(parley(['quantize', '--model', model]).status).toBe(0);
    expect(JSON.parse(readFileSync(path.join(model, 'weights.json'), 'utf8')).weightsManifest[0].weights[0].quantization).toEqual({ dtype: 'float16' });
    const float16 = JSON.parse(evaluate().stdout);
    expect(Math.abs(float16.perplexity / float32.perplexity - 1)).toBeLessThan(1e-3);
    const after = await loadPipeline(model);
    expect(after.sourceTokenizer.vocabSize).toBe(after.config.sourceVocabSize);
    after.dispose();
    // Quantizing changed the weights, so the export train wrote is stale until exported again.
    expect(parley(['export', '--model', model]).status).toBe(0);
  }, SPAWNING);

  it('is served alike on ONNX Runtime and tfjs, attention over the source side\'s pieces', async () => {
    const tfjsDir = path.join(root, 'models', 'fr-en-tfjs');
    cpSync(model, tfjsDir, { recursive: true });
    rmSync(path.join(tfjsDir, 'onnx.json'));
    server = await startServer({ port: 0, host: '127.0.0.1', modelsDir: path.join(root, 'models'), dbFile: path.join(root, 'db.sqlite'),
      factory: createEngineFactory({ engine: 'auto', exportMissing: false }), logger: pino({ level: 'silent' }) });
    const list = (await (await fetch(new URL('/api/models', server.url))).json()) as { models: { id: string; runtime: string }[] };
    const runtime = Object.fromEntries(list.models.map((m) => [m.id, m.runtime]));
    expect(runtime['fr-en-onnx']).toBe('onnxruntime');
    expect(runtime['fr-en-tfjs']).toMatch(/^tfjs-/);
    const text = 'la fille préfère le gâteau .';
    const ask = async (id: string) => {
      const res = await fetch(new URL('/api/translate', server!.url), { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: id, text, options: { strategy: 'beam', beamSize: 3, nBest: 2, returnNBest: true, returnAttention: true, maxLength: 12 } }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { translations: Record<string, any>[] }).translations[0]!;
    };
    const [onnx, tfjs] = [await ask('fr-en-onnx'), await ask('fr-en-tfjs')];
    expect(onnx.text).toBe(tfjs.text);
    expect(onnx.score).toBeCloseTo(tfjs.score, 4);
    expect(onnx.nBest.map((h: { text: string }) => h.text)).toEqual(tfjs.nBest.map((h: { text: string }) => h.text));
    // Identity normalisation: the source side's pieces spell the input back, then EOS.
    expect(onnx.srcTokens.slice(0, -1).join('')).toBe(text);
    expect(onnx.srcTokens.at(-1)).toBe('</s>');
    const pipeline = await loadPipeline(model);
    expect(onnx.srcTokens.slice(0, -1)).toEqual(pipeline.encodeInput(text).map((id) => pipeline.sourceTokenizer.idToPiece(id)));
    pipeline.dispose();
  });
});
