// Peak memory and throughput of the onnxruntime training engine over many batch shapes, as a real
// corpus gives them (issue 12: a 15.5M-parameter seq2seq-lstm reached 21.8 GiB RSS after 30 steps of
// `parley train`, one new step graph per step). Batches come from the same planner as `parley train`
// over random lengths, so shapes vary the way they do on a corpus. Prints RSS after each step and one
// JSON line at the end. `-- --hidden 512 --layers 2 --vocab 8000 --batch-tokens 3000 --max-length 80
// --steps 30 --ort-arena --ort-optimization all --max-sessions N --grid 8x4`.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  gridFromEnv,
  makeStepBatch,
  modelConfig,
  OrtTrainer,
  planBatches,
  Random,
  Seq2Seq,
  type Example,
} from '../engine/index.ts';

const { values: v } = parseArgs({
  options: {
    hidden: { type: 'string', default: '512' },
    layers: { type: 'string', default: '2' },
    vocab: { type: 'string', default: '8000' },
    'batch-tokens': { type: 'string', default: '3000' },
    'max-length': { type: 'string', default: '80' },
    steps: { type: 'string', default: '30' },
    'max-sessions': { type: 'string', default: '64' },
    grid: { type: 'string', default: '' },
    'ort-arena': { type: 'boolean', default: false },
    'ort-optimization': { type: 'string', default: 'basic' },
  },
});
const n = (k: keyof typeof v) => Number(v[k]);
const H = n('hidden');
const V = n('vocab');
const maxLength = n('max-length');
const rssMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);

async function main() {
  await tf.setBackend('cpu');
  const config = modelConfig('seq2seq-lstm', {
    vocabSize: V,
    embedding: H,
    encoder: { cell: 'lstm', hidden: H, layers: n('layers'), bidirectional: false },
    decoder: { cell: 'lstm', hidden: H, layers: n('layers'), init: 'copy' },
    attention: { kind: 'general', dim: H },
    readout: { kind: 'tanh', dim: H },
    dropout: 0.2,
  });
  const model = new Seq2Seq(config);
  const parameters = model.params.size();
  const trainer = OrtTrainer.fromModel(model, { learningRate: 1e-3, memoryArena: v['ort-arena'], optimization: v['ort-optimization'] as 'all', maxSessions: n('max-sessions') });
  model.dispose();
  // Chat-like lengths: sources (with earlier turns) skew long, replies short.
  const rng = new Random(3);
  const len = (mean: number) => Math.max(1, Math.min(maxLength, Math.round(-mean * Math.log(1 - rng.next()))));
  const token = () => 4 + rng.int(V - 4);
  const examples: Example[] = Array.from({ length: 20000 }, () => ({ src: Array.from({ length: len(30) }, token), tgt: Array.from({ length: len(12) }, token) }));
  const plan = planBatches(examples, { batchTokens: n('batch-tokens'), seed: 1, epoch: 0 });
  const grid = v.grid ? gridFromEnv(v.grid) : gridFromEnv();
  const t0 = performance.now();
  let tokens = 0;
  let peak = 0;
  for (let i = 0; i < n('steps'); i++) {
    const batch = makeStepBatch(plan[i]!.map((j) => examples[j]!), config.specials, config.reverseSource, grid);
    const s0 = performance.now();
    const r = await trainer.trainStep(batch);
    tokens += r.targetTokens;
    peak = Math.max(peak, rssMiB());
    const b = batch.bucket;
    console.log(`step ${i + 1} ${b.batch}x${b.srcLen}x${b.tgtLen} loss ${r.loss.toFixed(3)} ${((performance.now() - s0) / 1000).toFixed(2)} s  sessions ${trainer.stats.sessions}  rss ${rssMiB()} MiB`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const s = trainer.stats;
  console.log(JSON.stringify({ parameters, arena: v['ort-arena'], optimization: v['ort-optimization'], grid, steps: n('steps'), targetTokensPerSecond: Math.round(tokens / seconds), peakRssMiB: peak, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), sessions: s.sessions, evicted: s.evicted, buildS: +(s.buildMs / 1000).toFixed(1), createS: +(s.createMs / 1000).toFixed(1) }));
  await trainer.dispose();
}

void main();
