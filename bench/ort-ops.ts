// Where an ORT training step's kernel time goes, by op type and by part (forward, backward, optimizer),
// for a model directory's config on one batch shape: `npm run bench:ort-ops -- --model DIR --batch 64
// --src 32 --tgt 12 [--steps 3]`. Random tokens; the profile is ONNX Runtime's own per-node timing.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildStepGraphWithSections, initBackend, makeStepBatch, OrtTrainer, Random, readModelConfig, Seq2Seq, type Example } from '../engine/index.ts';

const { values: v } = parseArgs({ options: { model: { type: 'string' }, batch: { type: 'string', default: '64' }, src: { type: 'string', default: '32' }, tgt: { type: 'string', default: '12' }, steps: { type: 'string', default: '3' }, nodes: { type: 'boolean' } } });
if (!v.model) throw new Error('usage: bench/ort-ops.ts --model DIR [--batch B --src S --tgt T --steps N]');
await initBackend({ quiet: true, backend: 'cpu' });
const config = readModelConfig(v.model).config;
const rng = new Random(3);
const token = () => 4 + rng.int(config.vocabSize - 4);
const examples: Example[] = Array.from({ length: Number(v.batch) }, () => ({ src: Array.from({ length: Number(v.src) }, token), tgt: Array.from({ length: Number(v.tgt) - 1 }, token) }));
const model = new Seq2Seq(config);
const params = model.params.entries().map(([n, x]) => [n, x.shape] as const);
const prefix = path.join(tmpdir(), `parley-ortops-${process.pid}`);
const trainer = OrtTrainer.fromModel(model, { learningRate: 1e-3, profilePrefix: prefix });
model.dispose();
const batch = makeStepBatch(examples, config.specials, config.reverseSource);
const { sections } = buildStepGraphWithSections({ config, params, bucket: batch.bucket, labelSmoothing: 0, adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: trainer.options.clipNorm }, mode: 'update', dynamicBatch: trainer.dynamicBatch });
await trainer.trainStep(batch); // warm-up, not profiled separately: its share is averaged in
const steps = Number(v.steps);
const t0 = performance.now();
for (let i = 0; i < steps; i++) await trainer.trainStep(batch);
const wallMs = (performance.now() - t0) / steps;
await trainer.dispose();
const byNode = new Map<string, { ms: number; shapes: string }>();
const byOp = new Map<string, { forward: number; backward: number; optimizer: number; nodes: Set<number> }>();
for (const file of readdirSync(tmpdir()).filter((f) => f.startsWith(path.basename(prefix)))) {
  const full = path.join(tmpdir(), file);
  for (const e of JSON.parse(readFileSync(full, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string; input_type_shape?: unknown } }[]) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const node = byNode.get(e.name) ?? { ms: 0, shapes: JSON.stringify(e.args?.input_type_shape ?? []) };
    node.ms += e.dur / 1000 / (steps + 1);
    byNode.set(e.name, node);
    const k = Number(/_(\d+)_kernel_time$/.exec(e.name)?.[1] ?? NaN);
    const op = e.args?.op_name ?? e.name.split('_')[0]!;
    const part = k < sections.backward ? 'forward' : k < sections.optimizer ? 'backward' : 'optimizer';
    const entry = byOp.get(op) ?? { forward: 0, backward: 0, optimizer: 0, nodes: new Set<number>() };
    entry[part] += e.dur / 1000 / (steps + 1);
    entry.nodes.add(k);
    byOp.set(op, entry);
  }
  rmSync(full);
}
const rows = [...byOp].map(([op, e]) => ({ op, nodes: e.nodes.size, forward: +e.forward.toFixed(1), backward: +e.backward.toFixed(1), optimizer: +e.optimizer.toFixed(1), total: +(e.forward + e.backward + e.optimizer).toFixed(1) })).sort((a, b) => b.total - a.total);
const total = rows.reduce((s, r) => s + r.total, 0);
console.log(JSON.stringify({ model: v.model, bucket: batch.bucket, targetTokens: batch.targetTokens, wallMsPerStep: +wallMs.toFixed(0), kernelMsPerStep: +total.toFixed(0) }));
console.table(rows.slice(0, 25));
if (process.argv.includes('--nodes')) console.table([...byNode].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30).map(([name, n]) => ({ name, ms: +n.ms.toFixed(1), inputs: n.shapes.slice(0, 120) })));
