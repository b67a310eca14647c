// The server on the real engine: tiny models trained here, one served on ONNX Runtime (its directory
// holds an ONNX export) and one on tfjs (no export); same weights, so both must answer alike.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { io as connect } from 'socket.io-client';
import { buildTokenizer, encodeModelProto, exportOnnx, makeBatch, parseTree, Pipeline, ptbTokenize, saveModel, Seq2Seq, Tokenizer, Trainer, trainSubwordModel } from '../../engine/index.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { createEngineFactory } from '../../server/service/engine-factory.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/protocol.ts';
import { tinyConfig } from '../helpers/tiny.ts';
import { tempDir } from '../helpers/tmp.ts';

const sentences = ['the cat sat on the mat', 'a dog ran in the park', 'the bird sang a song', 'we like green tea'];

async function writeModel(dir: string, task: 'translate' | 'chat'): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const proto = trainSubwordModel(sentences, { vocabSize: 300, hardVocabLimit: false }).model;
  writeFileSync(path.join(dir, 'tokenizer.model'), encodeModelProto(proto));
  const tokenizer = await Tokenizer.load(path.join(dir, 'tokenizer.model'));
  const model = new Seq2Seq(tinyConfig('rnnsearch', { vocabSize: tokenizer.vocabSize, hidden: 16 }));
  // A few steps of reversing words, so the output is not the first token repeated.
  const trainer = new Trainer(model, { learningRate: 0.01 });
  const pairs = sentences.map((s) => ({ src: tokenizer.encode(s), tgt: tokenizer.encode(s.split(' ').reverse().join(' ')) }));
  for (let i = 0; i < 10; i++) trainer.trainStep(makeBatch(pairs, model.config.specials, false));
  await saveModel(dir, model, { task, pipelineTask: task, tokenizer: 'tokenizer.model' });
}

/** An untrained parse model: its output is repaired into a tree, whose leaves are always the input words. */
async function writeParseModel(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const pairs = [
    { input: 'the dog did n\'t bark .', target: '(S (NP XX XX )NP (VP XX XX XX )VP XX )S' },
    { input: 'cats sleep', target: '(S (NP XX )NP (VP XX )VP )S' },
  ];
  const proto = buildTokenizer(pairs, { task: 'parse', vocabSize: 300 });
  writeFileSync(path.join(dir, 'tokenizer.model'), encodeModelProto(proto));
  const model = new Seq2Seq(tinyConfig('rnnsearch', { vocabSize: proto.pieces.length, hidden: 16 }));
  await saveModel(dir, model, { task: 'parse', pipelineTask: 'parse', tokenizer: 'tokenizer.model' });
  model.dispose();
}

describe('the server on the real engine', () => {
  const root = tempDir('parley-engine-server');
  let server: RunningServer;

  beforeAll(async () => {
    const models = path.join(root, 'models');
    await writeModel(path.join(models, 'fr-en-tfjs'), 'translate');
    cpSync(path.join(models, 'fr-en-tfjs'), path.join(models, 'fr-en-onnx'), { recursive: true });
    await exportOnnx(path.join(models, 'fr-en-onnx'));
    await writeModel(path.join(models, 'chat'), 'chat');
    await writeParseModel(path.join(models, 'parse'));
    // The same weights with decoding defaults in config.json: beam 3 with a 3-best list.
    const withDefaults = path.join(models, 'fr-en-defaults');
    cpSync(path.join(models, 'fr-en-tfjs'), withDefaults, { recursive: true });
    const config = JSON.parse(readFileSync(path.join(withDefaults, 'config.json'), 'utf8'));
    writeFileSync(path.join(withDefaults, 'config.json'), JSON.stringify({ ...config, decoding: { strategy: 'beam', beamSize: 3, nBest: 3, returnNBest: true, maxLength: 12 } }));
    server = await startServer({ port: 0, host: '127.0.0.1', modelsDir: models, dbFile: path.join(root, 'db.sqlite'), factory: createEngineFactory({ engine: 'auto', exportMissing: false }), logger: pino({ level: process.env.PARLEY_TEST_LOG ?? 'silent' }) });
  });
  afterAll(() => server?.close());

  const post = async (route: string, body: unknown) => {
    const res = await fetch(new URL(route, server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('lists each model with the runtime that decodes it', async () => {
    const list = (await (await fetch(new URL("/api/models", server.url))).json()) as { models: { id: string; runtime: string; task: string }[] };
    const byId = Object.fromEntries(list.models.map((m) => [m.id, m]));
    expect(byId['fr-en-onnx']?.runtime).toBe('onnxruntime');
    expect(byId['fr-en-tfjs']?.runtime).toMatch(/^tfjs-/);
    expect(byId['chat']?.task).toBe('chat');
  });

  it('translates alike on ONNX Runtime and tfjs, with n-best and attention over the source pieces', async () => {
    const request = { text: 'the cat sat', options: { strategy: 'beam', beamSize: 3, nBest: 2, returnNBest: true, returnAttention: true, maxLength: 12 } };
    const onnx = await post('/api/translate', { ...request, model: 'fr-en-onnx' });
    const tfjs = await post('/api/translate', { ...request, model: 'fr-en-tfjs' });
    expect(onnx.status).toBe(200);
    const [a, b] = [onnx.body.translations[0], tfjs.body.translations[0]];
    expect(a.text).toBe(b.text);
    expect(a.score).toBeCloseTo(b.score, 4);
    expect(a.nBest).toHaveLength(2);
    expect(a.attention).toHaveLength(a.tokens);
    expect(a.srcTokens.at(-1)).toBe('</s>');
    expect(a.attention[0]).toHaveLength(a.srcTokens.length);
  });

  it("decodes with the model's config.json defaults under the request's options", async () => {
    const byDefault = (await post('/api/translate', { model: 'fr-en-defaults', text: 'the cat sat' })).body.translations[0];
    const asked = (await post('/api/translate', { model: 'fr-en-tfjs', text: 'the cat sat', options: { strategy: 'beam', beamSize: 3, nBest: 3, returnNBest: true, maxLength: 12 } })).body.translations[0];
    expect(byDefault.nBest).toHaveLength(3);
    expect(byDefault.nBest).toEqual(asked.nBest);
    // A request for greedy decoding drops the beam-only defaults instead of being refused.
    const greedy = await post('/api/translate', { model: 'fr-en-defaults', text: 'the cat sat', options: { strategy: 'greedy', maxLength: 12 } });
    const plain = await post('/api/translate', { model: 'fr-en-tfjs', text: 'the cat sat', options: { strategy: 'greedy', maxLength: 12 } });
    expect(greedy.status).toBe(200);
    expect(greedy.body.translations[0].nBest).toHaveLength(1);
    expect(greedy.body.translations[0].text).toBe(plain.body.translations[0].text);
  });

  it('parses raw text over treebank-style words', async () => {
    const text = "The dog didn't bark (twice).";
    const res = await post('/api/parse', { model: 'parse', text });
    expect(res.status).toBe(200);
    const leaves: string[] = [];
    const walk = (t: any): void => (t.kind === 'leaf' ? void leaves.push(t.word) : t.children.forEach(walk));
    walk(parseTree(res.body.tree));
    expect(leaves).toEqual(ptbTokenize(text));
    expect(leaves).toEqual(['The', 'dog', 'did', "n't", 'bark', '-LRB-', 'twice', '-RRB-', '.']);
  });

  it('refuses decoding options the engine does not implement, naming them', async () => {
    const res = await post('/api/translate', { model: 'fr-en-onnx', text: 'the cat', options: { strategy: 'greedy', beamSize: 4 } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/beamSize/);
  });

  it('refuses an input that becomes too many subword tokens, and keeps serving', async () => {
    const res = await post('/api/translate', { model: 'fr-en-onnx', text: '語'.repeat(300) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/input too long: 900 tokens/);
    expect((await post('/api/translate', { model: 'fr-en-onnx', text: 'the cat' })).status).toBe(200);
  });

  it('plans the work of a request with the model defaults, and refuses one over the cost budget before decoding', async () => {
    const model = server.ctx.loader.get('fr-en-defaults')!;
    const source = model.plan({ inputs: ['the cat sat'], options: {} }).sourceTokens;
    expect(source).toBeGreaterThan(0);
    // config.json: beam 3, maxLength 12; the request's options win.
    expect(model.plan({ inputs: ['the cat sat'], options: {} })).toEqual({ sourceTokens: source, rows: 3, maxSteps: 12 });
    expect(model.plan({ inputs: ['the cat sat'], options: { strategy: 'greedy', maxLength: 512 } })).toEqual({ sourceTokens: source, rows: 1, maxSteps: 512 });
    const heavy = { model: 'fr-en-onnx', texts: Array.from({ length: 32 }, () => 'the cat sat on the mat'), options: { beamSize: 32, minLength: 512, maxLength: 512 } };
    const res = await post('/api/translate', heavy);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/^request costs \d+ decoder row-steps \(.*, summed over 32 texts\), over the budget of 50000/);
    expect((await post('/api/translate', { model: 'fr-en-onnx', text: 'the cat' })).status).toBe(200);
  });

  it('encodes each text of a request once: the encoding its cost was planned on is the one decoded', async () => {
    const encode = vi.spyOn(Pipeline.prototype, 'encodeInput');
    try {
      const greedy = { strategy: 'greedy', maxLength: 8 } as const;
      const counted = async (route: string, body: unknown) => {
        encode.mockClear();
        const res = await post(route, body);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return encode.mock.calls.length;
      };
      expect(await counted('/api/translate', { model: 'fr-en-onnx', texts: ['the cat sat', 'a dog ran', 'we like tea'], options: greedy })).toBe(3);
      expect(await counted('/api/translate', { model: 'fr-en-tfjs', text: 'the cat sat', options: greedy })).toBe(1);
      expect(await counted('/api/parse', { model: 'parse', text: 'The dog barked.', options: greedy })).toBe(1);
      expect(await counted('/api/chat', { model: 'chat', text: 'the dog ran', options: greedy })).toBe(1);
      expect(await counted('/translator/translate', [{ id: 'fr-en-onnx', src: 'the cat' }, { id: 'fr-en-tfjs', src: 'a dog' }])).toBe(2);
      // A plan of other inputs is not taken up: the request's own text is encoded and decoded.
      const model = server.ctx.loader.get('fr-en-tfjs')!;
      const options = { ...greedy, returnAttention: true };
      const stale = model.plan({ inputs: ['the cat sat'], options });
      const signal = new AbortController().signal;
      const given = await model.generate({ inputs: ['a dog ran'], options, signal, plan: stale });
      const own = await model.generate({ inputs: ['a dog ran'], options, signal });
      expect(given.srcTokens).toEqual(own.srcTokens);
      expect(given.srcTokens).not.toEqual((await model.generate({ inputs: ['the cat sat'], options, signal, plan: stale })).srcTokens);
    } finally {
      encode.mockRestore();
    }
  });

  it('chats over socket.io with streamed partial replies', async () => {
    const socket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true }) as import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>;
    await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
    await new Promise<void>((resolve, reject) => {
      socket.once('session:state', () => resolve());
      socket.once('request:error', (e) => reject(new Error(JSON.stringify(e))));
      socket.emit('session:resume', { requestId: 'resume' });
    });
    const partials: string[] = [];
    socket.on('chat:partial', (p) => partials.push(p.text));
    const reply = await new Promise<{ text: string; role: string }>((resolve, reject) => {
      socket.once('chat:reply', (r) => resolve(r.message));
      socket.once('request:error', (e) => reject(new Error(JSON.stringify(e))));
      socket.emit('chat:send', { requestId: 'r1', model: 'chat', text: 'the dog ran', options: { strategy: 'greedy', maxLength: 8 } });
    });
    expect(reply.role).toBe('bot');
    expect(partials.at(-1)).toBe(reply.text);
    expect(partials.length).toBeGreaterThan(0);
    socket.disconnect();
  });

  it('writes the ONNX export of a directory that has none, and then decodes on ONNX Runtime', async () => {
    const dir = path.join(root, 'export-on-load');
    cpSync(path.join(root, 'models', 'fr-en-tfjs'), dir, { recursive: true });
    const spec = { id: 'x', dir, config: {}, card: '', trainingLogPath: null, version: 'v', bytes: 0 };
    const loaded = await createEngineFactory({ engine: 'auto', exportMissing: true })(spec, { observeBatchSize: () => {} });
    expect(loaded.runtime).toBe('onnxruntime');
    expect(existsSync(path.join(dir, 'onnx.json'))).toBe(true);
    await loaded.dispose?.();
  });

  it('npm start (server/main.ts) picks a backend, loads the directory\'s models and serves them', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', '--port', '0', '--host', '127.0.0.1', '--models', path.join(root, 'models'), '--db', path.join(root, 'main.sqlite'), '--no-watch'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARLEY_EXPORT_ONNX: '0' } },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /Parley chat: (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
      });
      expect(stderr).toMatch(/parley: tfjs [\d.]+ backend (wasm|cpu|tensorflow)/);
      const list = (await (await fetch(new URL('/api/models', url))).json()) as { models: { id: string }[] };
      expect(list.models.map((m) => m.id).sort()).toEqual(['chat', 'fr-en-defaults', 'fr-en-onnx', 'fr-en-tfjs', 'parse']);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
