// Kernel time of the ORT training step split into forward, backward and optimizer (clipping + Adam),
// from ONNX Runtime's own per-node profile: node k of the step graph is named `${op}_${k}`, and
// buildStepGraphWithSections says where each part starts. Load on shared cores moves every part alike.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildStepGraphWithSections,
  makeStepBatch,
  OrtTrainer,
  Seq2Seq,
  type Example,
  type ModelConfig,
} from '../engine/index.ts';

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
}

export async function profileBreakdown(o: { config: ModelConfig; examples: Example[]; steps: number; threads: number }) {
  const model = new Seq2Seq(o.config);
  const params = model.params.entries().map(([n, v]) => [n, v.shape] as const);
  const prefix = path.join(tmpdir(), `parley-ortprof-${process.pid}`);
  const trainer = OrtTrainer.fromModel(model, { learningRate: 1e-3, threads: o.threads, profilePrefix: prefix });
  model.dispose();
  const batch = makeStepBatch(o.examples, o.config.specials, o.config.reverseSource);
  const { sections } = buildStepGraphWithSections({ config: o.config, params, bucket: batch.bucket, labelSmoothing: 0, adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: trainer.options.clipNorm }, mode: 'update', dynamicBatch: trainer.dynamicBatch });
  for (let i = 0; i < o.steps; i++) await trainer.trainStep(batch);
  await trainer.dispose();
  const files = readdirSync(tmpdir()).filter((f) => f.startsWith(path.basename(prefix))).map((f) => path.join(tmpdir(), f));
  const ms = { forward: 0, backward: 0, optimizer: 0 };
  for (const file of files) {
    for (const e of JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[]) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
      const k = Number(/_(\d+)/.exec(e.name)?.[1] ?? NaN);
      const part = k < sections.backward ? 'forward' : k < sections.optimizer ? 'backward' : 'optimizer';
      ms[part] += e.dur / 1000 / o.steps;
    }
    rmSync(file);
  }
  return { forward: +ms.forward.toFixed(1), backward: +ms.backward.toFixed(1), optimizer: +ms.optimizer.toFixed(1) };
}
