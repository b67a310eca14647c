// /api/parse on the real engine, on both decoding paths: the same parse model served on ONNX Runtime
// (its directory holds an ONNX export) and on tfjs answers with the same tree, and by default (no
// options: config.json's decoding, then the task's) decodes under the tree constraint, so an untrained
// model's output needs no repair; a tagging parser's tree on ONNX Runtime carries its POS tags.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { buildTokenizer, encodeModelProto, exportOnnx, leaves, loadPipeline, parseTree, ptbTokenize, saveModel, Seq2Seq, type TextPair } from '../../engine/index.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { createEngineFactory } from '../../server/service/engine-factory.ts';
import { tinyConfig } from '../helpers/tiny.ts';
import { tempDir } from '../helpers/tmp.ts';

const TAGS = ['.', 'DT', 'NN', 'RB', 'VBD'];
const xxPairs: TextPair[] = [
  { input: "the dog did n't bark .", target: '(S (NP XX XX )NP (VP XX XX XX )VP XX )S' },
  { input: 'cats sleep', target: '(S (NP XX )NP (VP XX )VP )S' },
];
const taggedPairs: TextPair[] = [
  { input: "the dog did n't bark .", target: '(S (NP DT NN )NP (VP VBD RB VBD )VP . )S' },
  { input: 'dogs barked', target: '(S (NP NN )NP (VP VBD )VP )S' },
];

/** An untrained parse model directory; `meta` adds config.json fields. */
async function writeParseModel(dir: string, pairs: TextPair[], meta: Record<string, unknown>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const proto = buildTokenizer(pairs, { task: 'parse', vocabSize: 300 });
  writeFileSync(path.join(dir, 'tokenizer.model'), encodeModelProto(proto));
  const model = new Seq2Seq(tinyConfig('rnnsearch', { vocabSize: proto.pieces.length, hidden: 16 }));
  await saveModel(dir, model, { task: 'parse', pipelineTask: 'parse', tokenizer: 'tokenizer.model', ...meta });
  model.dispose();
}

describe('/api/parse on ONNX Runtime and tfjs', () => {
  const root = tempDir('parley-parse-runtimes');
  let server: RunningServer;

  beforeAll(async () => {
    const models = path.join(root, 'models');
    // Beam 3 by default, as parse-en's config.json has beam 5.
    await writeParseModel(path.join(models, 'parse-tfjs'), xxPairs, { decoding: { strategy: 'beam', beamSize: 3 } });
    cpSync(path.join(models, 'parse-tfjs'), path.join(models, 'parse-onnx'), { recursive: true });
    await exportOnnx(path.join(models, 'parse-onnx'));
    await writeParseModel(path.join(models, 'tagger-onnx'), taggedPairs, { posTags: TAGS });
    await exportOnnx(path.join(models, 'tagger-onnx'));
    server = await startServer({ port: 0, host: '127.0.0.1', modelsDir: models, dbFile: path.join(root, 'db.sqlite'), factory: createEngineFactory({ engine: 'auto', exportMissing: false }), logger: pino({ level: process.env.PARLEY_TEST_LOG ?? 'silent' }) });
  }, 120_000);
  afterAll(() => server?.close());

  const parse = async (body: unknown) => {
    const res = await fetch(new URL('/api/parse', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { tree: string; repaired: boolean; score: number } };
  };

  it('serves the copies on the runtimes their directories call for', async () => {
    const list = (await (await fetch(new URL('/api/models', server.url))).json()) as { models: { id: string; runtime: string }[] };
    const runtime = Object.fromEntries(list.models.map((m) => [m.id, m.runtime]));
    expect(runtime['parse-onnx']).toBe('onnxruntime');
    expect(runtime['tagger-onnx']).toBe('onnxruntime');
    expect(runtime['parse-tfjs']).toMatch(/^tfjs-/);
  });

  it('decodes by default under the tree constraint on both runtimes: the same well-formed tree, not repaired', async () => {
    const texts = ["The dog didn't bark (twice).", 'Cats sleep.', 'We did not expect the results to be this good.'];
    // Left to itself the untrained model writes no well-formed tree: only the constraint makes them so.
    const free = await loadPipeline(path.join(root, 'models', 'parse-tfjs'));
    const unconstrained = await free.parse(texts.map(ptbTokenize), { strategy: 'beam', beamSize: 3, maxLength: 40, treeConstraint: null });
    free.dispose();
    expect(unconstrained.every((t) => t.repaired)).toBe(true);
    for (const text of texts) {
      const onnx = await parse({ model: 'parse-onnx', text });
      const tfjs = await parse({ model: 'parse-tfjs', text });
      expect(onnx.status, JSON.stringify(onnx.body)).toBe(200);
      expect(onnx.body.repaired, onnx.body.tree).toBe(false);
      expect(onnx.body.tree).toBe(tfjs.body.tree);
      expect(onnx.body.score).toBeCloseTo(tfjs.body.score, 3);
      expect(leaves(parseTree(onnx.body.tree)).map((l) => l.word)).toEqual(ptbTokenize(text));
    }
  });

  it('keeps the constraint under a request\'s own decoding options', async () => {
    for (const options of [{ strategy: 'greedy' }, { strategy: 'beam', beamSize: 4, lengthPenalty: { kind: 'gnmt', alpha: 1 } }]) {
      const onnx = await parse({ model: 'parse-onnx', text: 'The dog barked at the cats.', options });
      expect(onnx.body.repaired, onnx.body.tree).toBe(false);
      expect(onnx.body.tree).toBe((await parse({ model: 'parse-tfjs', text: 'The dog barked at the cats.', options })).body.tree);
    }
  });

  it("answers a tagging parser's tree with one of its POS tags over each word", async () => {
    const text = 'The dog barked twice.';
    const res = await parse({ model: 'tagger-onnx', text });
    expect(res.status).toBe(200);
    expect(res.body.repaired).toBe(false);
    const words = leaves(parseTree(res.body.tree));
    expect(words.map((l) => l.word)).toEqual(ptbTokenize(text));
    for (const l of words) expect(TAGS).toContain(l.tag);
  });

  it('refuses a tree constraint from a request: the parser sets it, and keeps serving', async () => {
    const res = await parse({ model: 'parse-onnx', text: 'Cats sleep.', options: { treeConstraint: null } });
    expect(res.status).toBe(400);
    expect((await parse({ model: 'parse-onnx', text: 'Cats sleep.' })).status).toBe(200);
  });
});
