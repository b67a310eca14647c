// The onnxruntime engine's side of bench/train.ts: the same model, batches and step count, timed per
// step, with a breakdown: kernel milliseconds of forward, backward and optimizer from ORT's profiler
// (bench/ort-profile.ts), the wall time of graphs cut after the loss and after the gradient norm
// (noisy on shared cores: differences of medians), and feeds = building the input tensors in JS.
import { makeStepBatch, OrtTrainer, Seq2Seq, type Example, type ModelConfig } from '../engine/index.ts';
import { profileBreakdown } from './ort-profile.ts';

export interface OrtBenchOptions {
  config: ModelConfig;
  examples: Example[][];
  warmup: number;
  steps: number;
  threads: number;
  optimization: 'disabled' | 'basic' | 'extended' | 'all';
  stateBuffers: 'in-place' | 'double';
  memoryArena: boolean;
  dynamicBatch?: boolean;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await f(i);
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { wall, cpu };
}

export async function runOrt(o: OrtBenchOptions) {
  const model = new Seq2Seq(o.config);
  const trainer = OrtTrainer.fromModel(model, { learningRate: 1e-3, threads: o.threads, optimization: o.optimization, stateBuffers: o.stateBuffers, memoryArena: o.memoryArena, dynamicBatch: o.dynamicBatch });
  const parameters = model.params.size();
  model.dispose();
  const batches = o.examples.map((e) => makeStepBatch(e, o.config.specials, o.config.reverseSource));
  const batch = (i: number) => batches[i % batches.length]!;
  const t0 = performance.now();
  await trainer.sessionFor(batch(0).bucket, 'update');
  const firstSessionMs = performance.now() - t0;
  let loss = 0;
  await timed(o.warmup, async (i) => (loss = (await trainer.trainStep(batch(i))).loss));
  const step = await timed(o.steps, async (i) => (loss = (await trainer.trainStep(batch(i))).loss));
  // Before the breakdown's extra sessions: the peak of training itself.
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const forward = await timed(o.steps, (i) => trainer.runPartial(batch(i), 'loss'));
  const backward = await timed(o.steps, (i) => trainer.runPartial(batch(i), 'norm'));
  const feeds = await timed(o.steps, async (i) => trainer.feedsOnly(batch(i)));
  const stats = { ...trainer.stats };
  await trainer.dispose();
  const kernelMs = await profileBreakdown({ config: o.config, examples: o.examples[0]!, steps: Math.min(o.steps, 4), threads: o.threads });
  const stepSeconds = median(step.wall);
  const ms = (s: number) => +(s * 1000).toFixed(1);
  return {
    parameters,
    steps: step.wall.length,
    medianStepSeconds: +stepSeconds.toFixed(4),
    minStepSeconds: +Math.min(...step.wall).toFixed(4),
    medianStepCpuSeconds: +median(step.cpu).toFixed(4),
    targetTokensPerStep: batch(0).targetTokens,
    targetTokensPerSecond: Math.round(batch(0).targetTokens / stepSeconds),
    lastLoss: +loss.toFixed(4),
    breakdownMs: {
      kernels: kernelMs,
      wallOfCutGraphs: { forward: ms(median(forward.wall)), forwardBackward: ms(median(backward.wall)), wholeStep: ms(stepSeconds) },
      // Weights, moments and batch enter as tensors over JS memory and updates are written into it:
      // the only host-side work per step is making those tensor objects.
      feeds: +(median(feeds.wall) * 1000).toFixed(3),
    },
    peakRssMiB,
    sessions: { firstSessionMs: Math.round(firstSessionMs), ...stats, buildMs: Math.round(stats.buildMs), createMs: Math.round(stats.createMs) },
  };
}
