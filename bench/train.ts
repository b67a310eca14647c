// Training throughput of RNNsearch (Bahdanau et al. 2014) at issue 2's reference configs "small" and
// "big": random tokens, dropout 0, a few warm-up steps then timed steps; prints one JSON line per config.
// `-- --dropout P` trains with dropout P instead (what real runs use: translate-fr-en trains at 0.1).
// `-- --config small|big` runs one; `-- --profile` adds kernel dispatch counts and time per kernel;
// `-- --fused-gru` switches the hand-written GRU step on (default: autodiff through single ops).
// `-- --engine onnxruntime|tfjs|both` picks the training engine (default both: onnxruntime then tfjs);
// `-- --torch` runs bench/torch/train.py on the same config right after, for figures from one run;
// `-- --double-buffers`, `--ort-arena`, `--ort-optimization L` measure the ORT engine's memory/speed choices.
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import {
  initBackend,
  makeBatch,
  modelConfig,
  Random,
  Seq2Seq,
  setFusedGruEnabled,
  Trainer,
  type Example,
  type ModelConfig,
  type TensorBatch,
} from '../engine/index.ts';
import { runOrt } from './train-ort.ts';

type ConfigName = 'small' | 'big';
const CONFIG_NAMES: readonly ConfigName[] = ['small', 'big'];

interface BenchConfig {
  vocab: number;
  embedding: number;
  encoderHidden: number; // per direction
  decoderHidden: number;
  attentionDim: number;
  readoutDim: number; // maxout, pool 2
  batch: number;
  sourceLength: number;
  targetLength: number; // decoder steps: BOS + targetLength−1 tokens in, targetLength−1 tokens + EOS out
  warmup: number;
  steps: number;
}

const CONFIGS: Record<ConfigName, BenchConfig> = {
  small: { vocab: 4000, embedding: 128, encoderHidden: 128, decoderHidden: 256, attentionDim: 256, readoutDim: 256, batch: 64, sourceLength: 20, targetLength: 20, warmup: 3, steps: 10 },
  big: { vocab: 8000, embedding: 256, encoderHidden: 256, decoderHidden: 512, attentionDim: 512, readoutDim: 512, batch: 64, sourceLength: 20, targetLength: 20, warmup: 2, steps: 8 },
};

type EngineChoice = 'onnxruntime' | 'tfjs' | 'both';
const ENGINES: readonly EngineChoice[] = ['onnxruntime', 'tfjs', 'both'];

interface Args {
  configs: ConfigName[];
  profile: boolean;
  fused: boolean;
  engine: EngineChoice;
  torch: boolean;
  optimization: 'disabled' | 'basic' | 'extended' | 'all';
  stateBuffers: 'in-place' | 'double';
  memoryArena: boolean;
  /** false with --fixed-batch: the step graph's batch size baked in, as before the batch dim was free. */
  dynamicBatch: boolean;
  dropout: number;
}

function parseArgs(argv: string[]): Args {
  let configs: ConfigName[] = [...CONFIG_NAMES];
  let profile = false;
  let fused = false;
  let engine: EngineChoice = 'both';
  let torch = false;
  let optimization: Args['optimization'] = 'basic'; // the engine's default
  let stateBuffers: Args['stateBuffers'] = 'in-place';
  let memoryArena = false; // the engine's default (engine/ort-training/session.ts)
  let dynamicBatch = true; // the engine's default
  let dropout = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--profile') profile = true;
    else if (arg === '--fused-gru') fused = true;
    else if (arg === '--torch') torch = true;
    else if (arg === '--double-buffers') stateBuffers = 'double';
    else if (arg === '--ort-arena') memoryArena = true;
    else if (arg === '--fixed-batch') dynamicBatch = false;
    else if (arg === '--dropout') {
      dropout = Number(argv[++i]);
      if (!(dropout >= 0 && dropout <= 0.9)) throw new Error(`--dropout must be in [0, 0.9], got ${String(argv[i])}`);
    } else if (arg === '--engine') {
      const value = argv[++i];
      if (!(ENGINES as readonly string[]).includes(value ?? '')) throw new Error(`--engine must be one of ${ENGINES.join(', ')}, got ${String(value)}`);
      engine = value as EngineChoice;
    } else if (arg === '--ort-optimization') {
      const value = argv[++i];
      if (!['disabled', 'basic', 'extended', 'all'].includes(value ?? '')) throw new Error(`--ort-optimization must be disabled|basic|extended|all, got ${String(value)}`);
      optimization = value as Args['optimization'];
    }
    else if (arg === '--config') {
      const value = argv[++i];
      if (!(CONFIG_NAMES as readonly string[]).includes(value ?? '')) {
        throw new Error(`--config must be one of ${CONFIG_NAMES.join(', ')}, got ${String(value)}`);
      }
      configs = [value as ConfigName];
    } else throw new Error(`unknown argument ${arg} (known: --config small|big, --engine onnxruntime|tfjs|both, --torch, --ort-optimization L, --double-buffers, --ort-arena, --fixed-batch, --dropout P, --profile, --fused-gru)`);
  }
  return { configs, profile, fused, engine, torch, optimization, stateBuffers, memoryArena, dynamicBatch, dropout };
}

function rnnsearch(c: BenchConfig, dropout = 0): ModelConfig {
  return modelConfig('rnnsearch', {
    vocabSize: c.vocab,
    embedding: c.embedding,
    encoder: { cell: 'gru', hidden: c.encoderHidden, layers: 1, bidirectional: true },
    decoder: { cell: 'gru', hidden: c.decoderHidden, layers: 1, init: 'bridge' },
    context: 'local',
    attention: { kind: 'additive', dim: c.attentionDim },
    readout: { kind: 'maxout', dim: c.readoutDim },
    dropout,
  });
}

function randomExamples(c: BenchConfig, rng: Random): Example[] {
  const firstWord = 4; // after pad, unk, bos, eos
  const token = () => firstWord + rng.int(c.vocab - firstWord);
  return Array.from({ length: c.batch }, () => ({
    src: Array.from({ length: c.sourceLength }, token),
    tgt: Array.from({ length: c.targetLength - 1 }, token),
  }));
}

/** The four batches both engines train on, from one seed. */
const benchExamples = (c: BenchConfig) => {
  const rng = new Random(7);
  return Array.from({ length: 4 }, () => randomExamples(c, rng));
};

function randomBatch(examples: Example[], model: ModelConfig): TensorBatch {
  return makeBatch(examples, model.specials, model.reverseSource);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Kernel dispatches and milliseconds per kernel name over one training step. */
async function profileStep(trainer: Trainer, batch: TensorBatch) {
  const info = await tf.profile(() => {
    trainer.trainStep(batch);
  });
  const byKernel = new Map<string, { count: number; ms: number }>();
  for (const k of info.kernels) {
    const entry = byKernel.get(k.name) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += Number(k.kernelTimeMs) || 0;
    byKernel.set(k.name, entry);
  }
  const kernels = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).map(([name, e]) => ({ name, count: e.count, ms: +e.ms.toFixed(1) }));
  const totalMs = kernels.reduce((s, k) => s + k.ms, 0);
  return { dispatches: info.kernels.length, kernelMs: +totalMs.toFixed(1), kernels };
}

async function run(name: ConfigName, profile: boolean, dropout: number) {
  const c = CONFIGS[name];
  const config = rnnsearch(c, dropout);
  const model = new Seq2Seq(config);
  const trainer = new Trainer(model, { learningRate: 1e-3 });
  const batches = benchExamples(c).map((e) => randomBatch(e, config));
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  let loss = 0;
  for (let i = 0; i < c.warmup + c.steps; i++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const report = trainer.trainStep(batches[i % batches.length]!);
    if (i >= c.warmup) {
      seconds.push((performance.now() - t0) / 1000);
      const cpu = process.cpuUsage(cpu0);
      cpuSeconds.push((cpu.user + cpu.system) / 1e6);
    }
    loss = report.loss;
  }
  const tokens = batches[0]!.targetTokens;
  const stepSeconds = median(seconds);
  const profiled = profile ? await profileStep(trainer, batches[0]!) : undefined;
  const leaked = tf.memory().numTensors;
  const parameters = model.params.names().reduce((n, k) => n + model.params.get(k).size, 0);
  trainer.dispose();
  batches.forEach((b) => b.dispose());
  model.dispose();
  return {
    config: name,
    sizes: c,
    parameters,
    steps: seconds.length,
    medianStepSeconds: +stepSeconds.toFixed(4),
    minStepSeconds: +Math.min(...seconds).toFixed(4),
    // CPU time of all threads: less sensitive than wall time to other processes on shared cores.
    medianStepCpuSeconds: +median(cpuSeconds).toFixed(4),
    targetTokensPerStep: tokens,
    targetTokensPerSecond: Math.round(tokens / stepSeconds),
    lastLoss: +loss.toFixed(4),
    tensorsAfterRun: leaked,
    ...(profiled ? { profile: profiled } : {}),
  };
}

/** The PyTorch peer on the same config, as a child process (its own peak RSS), or why it could not run. */
function runTorch(name: ConfigName, threads: number): unknown {
  const r = spawnSync('/usr/bin/python3', ['bench/torch/train.py', '--config', name, '--threads', String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return { backend: 'pytorch', config: name, error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop() };
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { configs, profile, fused } = args;
  // The onnxruntime engine alone needs tfjs only to draw the initial weights: the cpu backend keeps the
  // wasm heap out of its peak RSS.
  const backend = await initBackend({ quiet: true, ...(args.engine === 'onnxruntime' ? { backend: 'cpu' as const } : {}) });
  setFusedGruEnabled(fused);
  const threads = Number(process.env.PARLEY_THREADS ?? 2);
  for (const name of configs) {
    if (args.engine !== 'tfjs') {
      const c = CONFIGS[name];
      const result = await runOrt({ config: rnnsearch(c, args.dropout), examples: benchExamples(c), warmup: c.warmup, steps: c.steps, threads, optimization: args.optimization, stateBuffers: args.stateBuffers, memoryArena: args.memoryArena, dynamicBatch: args.dynamicBatch });
      // Peak RSS is per process: run one engine per invocation (--engine) for a clean figure.
      process.stdout.write(`${JSON.stringify({ engine: 'onnxruntime', threads, ortOptimization: args.optimization, stateBuffers: args.stateBuffers, memoryArena: args.memoryArena, dynamicBatch: args.dynamicBatch, dropout: args.dropout, config: name, sizes: c, ...result })}\n`);
    }
    if (args.engine !== 'onnxruntime') {
      const result = await run(name, profile, args.dropout);
      const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
      const line = {
        engine: 'tfjs',
        backend: backend.name,
        threads: backend.threads,
        nativeMatMul: backend.nativeMatMul,
        nativeMatMulThreads: backend.nativeMatMulThreads,
        nativeMatMulMinRows: backend.nativeMatMulMinRows,
        fusedGru: fused,
        dropout: args.dropout,
        ...result,
        peakRssMiB,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    if (args.torch) process.stdout.write(`${JSON.stringify(runTorch(name, threads))}\n`);
  }
}

await main();
