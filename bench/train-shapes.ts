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
import { DEFAULT_SHAPE_BUDGET, encodePairs, initBackend, loadPipeline, makeStepBatch, planBatches, planShapes, roundLength, type Example, type LengthGrid } from '../engine/index.ts';

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
const shapesOf = (epoch: number) =>
  planBatches(examples, { batchTokens: run.batchTokens, seed: run.seed, epoch }).map((b) => {
    const rows = b.map((i) => examples[i]!);
    const { bucket, targetTokens } = makeStepBatch(rows, specials, false); // exact shapes: grid 1 × 1
    return { batch: bucket.batch, src: bucket.srcLen, tgt: bucket.tgtLen, realSrc: rows.reduce((s, e) => s + e.src.length, 0), realTgt: targetTokens };
  });
const raw = shapesOf(0);
const next = shapesOf(1);
type Shape = (typeof raw)[number];

// A grid rounds rows and lengths; a plan (planShapes over epoch 0's batches, as parley train does)
// maps each batch to its smallest planned pair. Plans are also scored on epoch 1, whose batches they
// were not planned from: "uncovered" batches there fall back to the ladder (a graph each).
const grids: [string, number, LengthGrid | number][] = [
  ['exact shapes (padding to each batch\'s longest row, as PyTorch does)', 1, 1],
  ['rows ×8, lengths ×4 (the old fixed-batch default)', 8, 4],
  ['rows ×1, lengths ×4', 1, 4],
  ['rows ×1, lengths ×8', 1, 8],
  ['rows ×1, lengths on the ladder (the default before planned shapes)', 1, 'ladder'],
  ...[16, 24, 32, 48, 64].map((k) => [`rows ×1, ${k} planned length pairs${k === DEFAULT_SHAPE_BUDGET ? ' (the default)' : ''}`, 1, -k] as [string, number, number]),
];
console.log(`${v.run}: ${examples.length} examples, ${batches.length} batches in epoch 0`);
for (const [name, rowsTo, lengths] of grids) {
  const plan = typeof lengths === 'number' && lengths < 0 ? planShapes(raw.map((x) => ({ src: x.src, tgt: x.tgt, rows: x.batch })), -lengths) : null;
  const shape = (x: Shape): [number, number, boolean] => {
    const p = plan?.cover(x.src, x.tgt);
    if (p) return [p.src, p.tgt, true];
    const grid = plan ? 'ladder' : (lengths as LengthGrid);
    return [roundLength(x.src, grid), roundLength(x.tgt, grid), !plan];
  };
  const score = (set: Shape[]) => {
    const count = (key: (x: Shape) => string) => {
      const m = new Map<string, number>();
      for (const x of set) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
      const sorted = [...m.values()].sort((a, b) => b - a);
      let covered = 0;
      let k = 0;
      while (covered < 0.95 * set.length) covered += sorted[k++]!;
      return { distinct: m.size, for95: k };
    };
    const B = (x: Shape) => Math.ceil(x.batch / rowsTo) * rowsTo;
    const triples = count((x) => `${B(x)}x${shape(x)[0]}x${shape(x)[1]}`);
    const pairs = count((x) => `${shape(x)[0]}x${shape(x)[1]}`);
    const padded = set.reduce((s, x) => s + B(x) * (shape(x)[0] + shape(x)[1]), 0);
    const real = set.reduce((s, x) => s + x.realSrc + x.realTgt, 0);
    const uncovered = set.filter((x) => !shape(x)[2]).length;
    return { triples, pairs, ratio: (real / padded).toFixed(3), uncovered };
  };
  const e0 = score(raw);
  const line = `${name}: ${e0.triples.distinct} shapes (${e0.triples.for95} cover 95% of steps), ${e0.pairs.distinct} length pairs (${e0.pairs.for95} for 95%), real/padded tokens ${e0.ratio}`;
  if (!plan) console.log(line);
  else {
    const e1 = score(next);
    console.log(`${line}; epoch 1: ${e1.pairs.distinct} length pairs, real/padded ${e1.ratio}, ${e1.uncovered} of ${next.length} batches uncovered`);
  }
}
