// Matmul throughput (GFLOPS) of the cpu backend and of the wasm backend's BatchMatMul routes:
// the package's kernel, transpose-then-XNNPACK, and the onnxruntime native GEMM. Prints JSON.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, nativeMatMulInstance, setWasmMatMulRoute, type WasmMatMulRoute } from '../engine/index.ts';

interface Shape {
  name: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

// x·W, its two gradients (dx = dy·Wᵀ, dW = xᵀ·dy), a whole batch×time slab, a decoding step, and
// batched attention scores.
const shapes: Shape[] = [
  { name: 'x[64,256]·W[256,768]', a: [64, 256], b: [256, 768], transposeA: false, transposeB: false },
  { name: 'dy[64,768]·W[256,768]ᵀ', a: [64, 768], b: [256, 768], transposeA: false, transposeB: true },
  { name: 'x[64,256]ᵀ·dy[64,768]', a: [64, 256], b: [64, 768], transposeA: true, transposeB: false },
  { name: 'x[1280,256]·W[256,768]', a: [1280, 256], b: [256, 768], transposeA: false, transposeB: false },
  { name: 'x[4,256]·W[256,768]', a: [4, 256], b: [256, 768], transposeA: false, transposeB: false },
  { name: 'q[64,20,256]·k[64,20,256]ᵀ', a: [64, 20, 256], b: [64, 20, 256], transposeA: false, transposeB: true },
];

type Config = { backend: 'cpu' } | { backend: 'wasm'; route: WasmMatMulRoute };
const configs: Config[] = [
  { backend: 'cpu' },
  { backend: 'wasm', route: 'original' },
  { backend: 'wasm', route: 'transpose' },
  { backend: 'wasm', route: 'native' },
];

const MIN_SECONDS = 0.4;
const MIN_ITERATIONS = 3;
const WARM_SECONDS = 0.2;

function flops(s: Shape): number {
  const [a0, a1] = s.a.slice(-2) as [number, number];
  const [b0, b1] = s.b.slice(-2) as [number, number];
  const [m, k] = s.transposeA ? [a1, a0] : [a0, a1];
  const n = s.transposeB ? b0 : b1;
  const batch = Math.max(...[s.a, s.b].map((d) => d.slice(0, -2).reduce((p, x) => p * x, 1)));
  return 2 * batch * m * k * n;
}

/** Median seconds of one matmul, run until MIN_SECONDS and MIN_ITERATIONS are both reached. */
function time(s: Shape): number {
  const a = tf.randomNormal(s.a);
  const b = tf.randomNormal(s.b);
  const once = () => {
    const t0 = performance.now();
    const c = tf.matMul(a, b, s.transposeA, s.transposeB);
    c.dataSync();
    c.dispose();
    return (performance.now() - t0) / 1000;
  };
  // Warm-up: kernel setup, ORT session creation, heap growth, JIT.
  for (let warm = 0, i = 0; warm < WARM_SECONDS || i < 1; i++) warm += once();
  const samples: number[] = [];
  for (let total = 0; total < MIN_SECONDS || samples.length < MIN_ITERATIONS; ) {
    samples.push(once());
    total += samples.at(-1)!;
  }
  tf.dispose([a, b]);
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)]!;
}

async function main(): Promise<void> {
  const info = await initBackend({ backend: 'wasm', nativeMatMul: true, quiet: true });
  const native = nativeMatMulInstance();
  const results = [];
  for (const config of configs) {
    if (config.backend === 'wasm' && config.route === 'native' && !native) continue;
    await tf.setBackend(config.backend);
    if (config.backend === 'wasm') setWasmMatMulRoute({ route: config.route, native });
    const label = config.backend === 'cpu' ? 'cpu' : `wasm-${config.route}`;
    for (const s of shapes) {
      const seconds = time(s);
      results.push({ config: label, shape: s.name, ms: +(seconds * 1000).toFixed(3), gflops: +(flops(s) / seconds / 1e9).toFixed(2) });
    }
  }
  process.stdout.write(`${JSON.stringify({ backend: info, results }, null, 2)}\n`);
}

await main();
