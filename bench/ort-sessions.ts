// What one ORT training session costs to build and create, with the graph's intermediate shapes declared
// (value_info, the default) and without: `npm run bench:ort-sessions -- --model DIR [--batch 64]
// [--lengths 8,16,32,48] [--threads 1]`. Random tokens, source and target of each length; the step graph
// is the free-batch update graph `parley train` builds. Without declared shapes ORT's allocation planner
// cannot match the free-batch buffers by size, and its planning grows with the square of the node count.
import { parseArgs } from 'node:util';
import { buildStepGraph, createTrainingSession, initBackend, makeStepBatch, Random, readModelConfig, Seq2Seq, type Example } from '../engine/index.ts';

const { values: v } = parseArgs({ options: { model: { type: 'string' }, batch: { type: 'string', default: '64' }, lengths: { type: 'string', default: '8,16,32,48' }, threads: { type: 'string', default: '1' } } });
if (!v.model) throw new Error('usage: bench/ort-sessions.ts --model DIR [--batch B] [--lengths L1,L2,...] [--threads N]');
await initBackend({ quiet: true, backend: 'cpu' });
const config = readModelConfig(v.model).config;
const model = new Seq2Seq(config);
const params = model.params.entries().map(([n, x]) => [n, x.shape] as const);
model.dispose();
const rng = new Random(3);
const token = () => 4 + rng.int(config.vocabSize - 4);
for (const length of v.lengths.split(',').map(Number)) {
  const examples: Example[] = Array.from({ length: Number(v.batch) }, () => ({ src: Array.from({ length }, token), tgt: Array.from({ length: length - 1 }, token) }));
  const { bucket } = makeStepBatch(examples, config.specials, config.reverseSource);
  const row: Record<string, unknown> = { model: v.model, bucket };
  for (const declareShapes of [true, false]) {
    let t = performance.now();
    const bytes = buildStepGraph({ config, params, bucket, labelSmoothing: 0, adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 5 }, mode: 'update', dynamicBatch: true, declareShapes });
    const buildMs = performance.now() - t;
    t = performance.now();
    const session = await createTrainingSession(bytes, { threads: Number(v.threads) });
    row[declareShapes ? 'declared' : 'undeclared'] = { graphKB: Math.round(bytes.length / 1024), buildMs: Math.round(buildMs), createMs: Math.round(performance.now() - t) };
    await session.release();
  }
  console.log(JSON.stringify(row));
}
