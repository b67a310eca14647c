// Decoding speed on the "small" and "big" reference configs (RNNsearch with random weights): greedy and
// beam-5 latency (batch 1, 20 source tokens, exactly 20 output tokens), sentences/s for 1, 8 and 32
// requests decoded together, where the ONNX Runtime time goes, and event-loop delay with the worker.
// Rows name their engine: `onnxruntime` or `tfjs-<backend>`. Prints one JSON object per line.
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  buildOnnxGraphs,
  decode,
  initBackend,
  modelConfig,
  OrtDecodeWorker,
  OrtStepModel,
  Seq2Seq,
  TfjsStepModel,
  type ModelConfig,
  type OnnxGraphs,
  type OrtSessionOptions,
  type StepModel,
} from '../engine/index.ts';

const SRC_LEN = 20;
const OUT_LEN = 20;
const quick = process.env.BENCH_QUICK === '1';

const configs: Record<'small' | 'big', ModelConfig> = {
  small: modelConfig('rnnsearch', {
    vocabSize: 4000, embedding: 128, dropout: 0,
    encoder: { cell: 'gru', hidden: 128, bidirectional: true },
    decoder: { cell: 'gru', hidden: 256 },
    attention: { kind: 'additive', dim: 256 },
    readout: { kind: 'maxout', dim: 256 },
  }),
  big: modelConfig('rnnsearch', {
    vocabSize: 8000, embedding: 256, dropout: 0,
    encoder: { cell: 'gru', hidden: 256, bidirectional: true },
    decoder: { cell: 'gru', hidden: 512 },
    attention: { kind: 'additive', dim: 512 },
    readout: { kind: 'maxout', dim: 512 },
  }),
};

function source(seed: number, vocab: number): number[] {
  return Array.from({ length: SRC_LEN }, (_, i) => 4 + ((seed * 7919 + i * 104729) % (vocab - 4)));
}

const options = (strategy: 'greedy' | 'beam') =>
  strategy === 'beam' ? { strategy, beamSize: 5, minLength: OUT_LEN, maxLength: OUT_LEN } : { strategy, minLength: OUT_LEN, maxLength: OUT_LEN };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function timeIt(fn: () => Promise<unknown>, runs: number, warm = 2): Promise<number> {
  for (let i = 0; i < warm; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function latencyAndThroughput(engine: string, name: string, model: StepModel<unknown>, runs: number, extra: object = {}): Promise<void> {
  const vocab = model.vocabSize;
  for (const strategy of ['greedy', 'beam'] as const) {
    const ms = await timeIt(() => decode(model, [{ source: source(1, vocab), options: options(strategy) }]), runs);
    console.log(JSON.stringify({ engine, config: name, ...extra, metric: `${strategy === 'beam' ? 'beam-5' : 'greedy'} latency`, ms: round(ms) }));
  }
  for (const n of [1, 8, 32]) {
    for (const strategy of ['greedy', 'beam'] as const) {
      const requests = Array.from({ length: n }, (_, i) => ({ source: source(i + 1, vocab), options: options(strategy) }));
      const ms = await timeIt(() => decode(model, requests), Math.max(1, Math.ceil(runs / n)), 1);
      console.log(JSON.stringify({ engine, config: name, ...extra, metric: `${strategy === 'beam' ? 'beam-5' : 'greedy'} throughput`, requests: n, sentencesPerSecond: round((n * 1000) / ms, 1) }));
    }
  }
}

/** Where one ORT beam-5 decode spends its time: encoder run, decoder runs, and everything else (JS). */
async function breakdown(name: string, model: OrtStepModel): Promise<void> {
  const spent = { encode: 0, step: 0, steps: 0 };
  const timed: StepModel<unknown> = {
    vocabSize: model.vocabSize,
    specials: model.specials,
    sourceLengths: (s) => model.sourceLengths(s as never),
    reorder: (s, i) => model.reorder(s as never, i),
    concat: (ss) => model.concat(ss as never),
    release: (s) => model.release(s as never),
    encode: async (src) => {
      const t = performance.now();
      const s = await model.encode(src);
      spent.encode += performance.now() - t;
      return s;
    },
    step: async (tokens, s) => {
      const t = performance.now();
      const out = await model.step(tokens, s as never);
      spent.step += performance.now() - t;
      spent.steps++;
      return out;
    },
  };
  const runs = 10;
  const request = { source: source(1, model.vocabSize), options: options('beam') };
  await decode(timed, [request]);
  Object.assign(spent, { encode: 0, step: 0, steps: 0 });
  const t = performance.now();
  for (let i = 0; i < runs; i++) await decode(timed, [request]);
  const total = (performance.now() - t) / runs;
  console.log(JSON.stringify({
    engine: 'onnxruntime', config: name, metric: 'beam-5 time breakdown (ms per decode)',
    total: round(total), encoderRun: round(spent.encode / runs), decoderSteps: round(spent.step / runs),
    perStep: round(spent.step / spent.steps, 3), beamSearchJs: round(total - (spent.encode + spent.step) / runs),
  }));
}

/** Event-loop delay while 32 beam-5 requests at a time decode, in this thread vs in the worker. */
async function eventLoopDelay(name: string, graphs: OnnxGraphs, specials: ModelConfig['specials'], seconds: number): Promise<void> {
  const requests = Array.from({ length: 32 }, (_, i) => ({ source: source(i + 1, graphs.spec.vocabSize), options: options('beam') }));
  const measure = async (label: string, run: () => Promise<unknown>) => {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const end = performance.now() + seconds * 1000;
    let sentences = 0;
    while (performance.now() < end) {
      await run();
      sentences += requests.length;
    }
    h.disable();
    const ms = (ns: number) => round(ns / 1e6);
    console.log(JSON.stringify({
      engine: 'onnxruntime', config: name, metric: 'event-loop delay under load (32 x beam-5)', where: label,
      p50ms: ms(h.percentile(50)), p99ms: ms(h.percentile(99)), maxMs: ms(h.max), sentencesPerSecond: round(sentences / seconds, 1),
    }));
  };
  const local = await OrtStepModel.create(graphs, specials);
  await measure('main thread', () => decode(local, requests));
  await local.dispose();
  const worker = await OrtDecodeWorker.start({ source: { graphs, specials }, session: {}, scheduler: { maxQueue: 64 } });
  await measure('worker thread', () => Promise.all(requests.map((r) => worker.submit(r))));
  await worker.close();
}

const backend = await initBackend({ quiet: true });
// Latencies scale with contention: say how busy the machine was.
console.log(JSON.stringify({ machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((x) => round(x)) }, tfjsBackend: backend.name }));
for (const [name, config] of Object.entries(configs)) {
  const model = new Seq2Seq(config);
  const graphs = buildOnnxGraphs(model);
  const runs = quick ? 5 : name === 'small' ? 30 : 15;
  const threadings: OrtSessionOptions[] = [{ encoderThreads: 1, decoderThreads: 1 }, { encoderThreads: 1, decoderThreads: 2 }];
  for (const threads of threadings) {
    const ort = await OrtStepModel.create(graphs, config.specials, threads);
    await latencyAndThroughput('onnxruntime', name, ort, runs, { threads });
    if (threads.decoderThreads === 1) await breakdown(name, ort);
    await ort.dispose();
  }
  await eventLoopDelay(name, graphs, config.specials, quick ? 1 : 3);
  await latencyAndThroughput(`tfjs-${backend.name}`, name, new TfjsStepModel(model), quick ? 2 : 5);
  model.dispose();
}
