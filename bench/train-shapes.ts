// How many ORT step graphs a real corpus needs: plans one epoch of a training run's batches exactly as
// `parley train` does (its saved run.json and tokenizer), rounds their shapes to each grid, and prints
// per grid the distinct (batch, srcLen, tgtLen) shapes, the distinct (srcLen, tgtLen) pairs a
// dynamic-batch graph needs, how many of those cover 95% of the steps, and the padded share.
// `npm run bench:train-shapes -- --run runs/chat-lstm-384 [--max-examples N]`
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadTaskPairs } from '../cli/corpus-data.ts';
import { IssueLog } from '../corpora/index.ts';
import { dropLong } from '../cli/train-run.ts';
import { encodePairs, initBackend, loadPipeline, makeStepBatch, planBatches, roundLength, type Example, type LengthGrid } from '../engine/index.ts';

const { values: v } = parseArgs({ options: { run: { type: 'string' }, 'max-examples': { type: 'string' } } });
if (!v.run) throw new Error('usage: bench/train-shapes.ts --run DIR (a parley train --out directory)');
await initBackend({ quiet: true, backend: 'cpu' });
const run = JSON.parse(readFileSync(path.join(v.run, 'training/run.json'), 'utf8'));
const pipeline = await loadPipeline(v.run);
const pairs = await loadTaskPairs({
  task: run.task,
  corpora: run.corpora,
  split: 'train',
  contextTurns: run.contextTurns,
  seed: run.seed,
  log: new IssueLog(0, undefined),
  ...(v['max-examples'] ? { maxExamples: Number(v['max-examples']) } : {}),
});
const examples: Example[] = dropLong(encodePairs(pipeline, pairs), run.maxLength);
const batches = planBatches(examples, { batchTokens: run.batchTokens, seed: run.seed, epoch: 0 });
const specials = pipeline.model.config.specials;
const raw = batches.map((b) => {
  const rows = b.map((i) => examples[i]!);
  const { bucket, targetTokens } = makeStepBatch(rows, specials, false); // exact shapes: grid 1 × 1
  return { batch: bucket.batch, src: bucket.srcLen, tgt: bucket.tgtLen, realSrc: rows.reduce((s, e) => s + e.src.length, 0), realTgt: targetTokens };
});

const grids: [string, number, LengthGrid][] = [
  ['exact shapes (padding to each batch\'s longest row, as PyTorch does)', 1, 1],
  ['rows ×8, lengths ×4 (the fixed-batch default)', 8, 4],
  ['rows ×1, lengths ×4', 1, 4],
  ['rows ×1, lengths ×8', 1, 8],
  ['rows ×1, lengths on the ladder', 1, 'ladder'],
];
console.log(`${v.run}: ${examples.length} examples, ${batches.length} batches in epoch 0`);
for (const [name, rowsTo, lengths] of grids) {
  const count = (key: (x: (typeof raw)[number]) => string) => {
    const m = new Map<string, number>();
    for (const x of raw) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
    const sorted = [...m.values()].sort((a, b) => b - a);
    let covered = 0;
    let k = 0;
    while (covered < 0.95 * raw.length) covered += sorted[k++]!;
    return { distinct: m.size, for95: k };
  };
  const S = (x: (typeof raw)[number]) => roundLength(x.src, lengths);
  const T = (x: (typeof raw)[number]) => roundLength(x.tgt, lengths);
  const B = (x: (typeof raw)[number]) => Math.ceil(x.batch / rowsTo) * rowsTo;
  const triples = count((x) => `${B(x)}x${S(x)}x${T(x)}`);
  const pairs = count((x) => `${S(x)}x${T(x)}`);
  const padded = raw.reduce((s, x) => s + B(x) * (S(x) + T(x)), 0);
  const real = raw.reduce((s, x) => s + x.realSrc + x.realTgt, 0);
  console.log(`${name}: ${triples.distinct} shapes (${triples.for95} cover 95% of steps), ${pairs.distinct} length pairs (${pairs.for95} for 95%), real/padded tokens ${(real / padded).toFixed(3)}`);
}
