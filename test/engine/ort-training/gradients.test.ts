// Each vector–Jacobian rule against central finite differences, in float64 on ONNX Runtime: the loss is
// Σ op(inputs) ⊙ R for a fixed random R, so every output element's adjoint differs.
import { describe, expect, it } from 'vitest';
import { Random } from '../../../engine/random.ts';
import { gradients } from '../../../engine/ort-training/gradients.ts';
import { createTrainingSession, ort } from '../../../engine/ort-training/session.ts';
import { TensorGraph, type Value } from '../../../engine/ort-training/tensor-graph.ts';

interface Case {
  /** Float inputs by name and shape; each gets a gradient. */
  inputs: Record<string, number[]>;
  build: (tg: TensorGraph, x: Record<string, Value>) => Value;
  /** Inputs that need values away from 0 (Log, Div) are drawn in [0.5, 1.5]. */
  positive?: boolean;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

async function maxRelativeError(c: Case): Promise<number> {
  const rng = new Random(3);
  const tg = new TensorGraph('fd', 'float64', { declareShapes: true });
  const x = Object.fromEntries(Object.entries(c.inputs).map(([n, s]) => [n, tg.input(n, s)]));
  const y = c.build(tg, x);
  const weights = Array.from({ length: size(y.shape as number[]) }, () => rng.next() * 2 - 1);
  const loss = tg.reduceSum(tg.mul(y, tg.constant(weights, y.shape as number[])), [...y.shape.keys()]);
  const names = Object.keys(c.inputs);
  const grads = gradients(tg, loss, names.map((n) => x[n]!));
  tg.output(loss, 'loss');
  grads.forEach((g, k) => tg.output(g, `grad_${names[k]}`));
  const session = await createTrainingSession(tg.builder.toBytes(), { threads: 1 });
  const values = Object.fromEntries(
    names.map((n) => [n, Float64Array.from({ length: size(c.inputs[n]!) }, () => (c.positive ? 0.5 + rng.next() : rng.next() * 2 - 1))]),
  );
  const feeds = () => Object.fromEntries(names.map((n) => [n, new ort.Tensor('float64', values[n]!, c.inputs[n]!)]));
  const analytic = await session.run(feeds());
  const h = 1e-6;
  let worst = 0;
  for (const n of names) {
    const g = analytic[`grad_${n}`]!.data as Float64Array;
    const v = values[n]!;
    for (let i = 0; i < v.length; i++) {
      const x0 = v[i]!;
      v[i] = x0 + h;
      const up = ((await session.run(feeds())).loss!.data as Float64Array)[0]!;
      v[i] = x0 - h;
      const down = ((await session.run(feeds())).loss!.data as Float64Array)[0]!;
      v[i] = x0;
      const numeric = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - g[i]!) / Math.max(1, Math.abs(numeric)));
    }
  }
  await session.release();
  return worst;
}

const cases: Record<string, Case> = {
  'MatMul 2-D (Gemm adjoints)': { inputs: { a: [3, 4], b: [4, 2] }, build: (tg, x) => tg.matmul(x.a!, x.b!) },
  'MatMul 3-D by 2-D': { inputs: { a: [2, 3, 4], b: [4, 2] }, build: (tg, x) => tg.matmul(x.a!, x.b!) },
  'MatMul batched 3-D': { inputs: { a: [2, 1, 3], b: [2, 3, 4] }, build: (tg, x) => tg.matmul(x.a!, x.b!) },
  'Add broadcasting a bias': { inputs: { a: [3, 4], b: [4] }, build: (tg, x) => tg.add(x.a!, x.b!) },
  'Sub broadcasting [B,1,A] over [B,S,A]': { inputs: { a: [2, 3, 4], b: [2, 1, 4] }, build: (tg, x) => tg.sub(x.a!, x.b!) },
  'Mul broadcasting a column': { inputs: { a: [3, 4], b: [3, 1] }, build: (tg, x) => tg.mul(x.a!, x.b!) },
  'Div': { inputs: { a: [3, 4], b: [3, 4] }, build: (tg, x) => tg.div(x.a!, x.b!), positive: true },
  'Max (element-wise)': { inputs: { a: [3, 4], b: [3, 4] }, build: (tg, x) => tg.max(x.a!, x.b!) },
  'Sigmoid': { inputs: { a: [3, 4] }, build: (tg, x) => tg.sigmoid(x.a!) },
  'Tanh': { inputs: { a: [3, 4] }, build: (tg, x) => tg.tanh(x.a!) },
  'Exp': { inputs: { a: [3, 4] }, build: (tg, x) => tg.exp(x.a!) },
  'Log': { inputs: { a: [3, 4] }, build: (tg, x) => tg.log(x.a!), positive: true },
  'Gather (embedding lookup with repeated ids)': {
    inputs: { t: [5, 3] },
    build: (tg, x) => tg.gather(x.t!, tg.raw1('Identity', [tg.int64s([1, 4, 1, 0, 1, 2])], {}, [6], 'int64')),
  },
  'GatherElements (target picking)': {
    inputs: { a: [3, 5] },
    build: (tg, x) => tg.gatherElements(x.a!, tg.raw1('Reshape', [tg.int64s([4, 0, 2]), tg.int64s([3, 1])], {}, [3, 1], 'int64'), 1),
  },
  'Concat': { inputs: { a: [2, 3], b: [2, 2] }, build: (tg, x) => tg.concat([x.a!, x.b!], 1) },
  'Split (one part unused)': { inputs: { a: [2, 7] }, build: (tg, x) => tg.split(x.a!, 1, [3, 2, 2])[0]! },
  'Split (all parts)': { inputs: { a: [2, 5] }, build: (tg, x) => tg.mul(tg.split(x.a!, 1, [3, 2])[1]!, tg.split(x.a!, 1, [2, 3])[0]!) },
  'Slice': { inputs: { a: [3, 6] }, build: (tg, x) => tg.slice(x.a!, 1, 2, 5) },
  'Transpose': { inputs: { a: [2, 3, 4] }, build: (tg, x) => tg.transpose(x.a!, [1, 2, 0]) },
  'Reshape': { inputs: { a: [2, 6] }, build: (tg, x) => tg.reshape(x.a!, [3, 4]) },
  'Where (masking)': {
    inputs: { a: [2, 3], b: [2, 3] },
    build: (tg, x) => {
      const cond = tg.raw1('Greater', [tg.constant([1, 0, 1, 0, 0, 1], [2, 3]), tg.constant(0.5)], {}, [2, 3], 'bool');
      return tg.where(cond, x.a!, x.b!);
    },
  },
  'Softmax': { inputs: { a: [3, 5] }, build: (tg, x) => tg.softmax(x.a!, -1) },
  'LogSoftmax': { inputs: { a: [3, 5] }, build: (tg, x) => tg.logSoftmax(x.a!, -1) },
  'ReduceSum keepdims': { inputs: { a: [3, 4] }, build: (tg, x) => tg.reduceSum(x.a!, [1], true) },
  'ReduceSum over two axes': { inputs: { a: [2, 3, 4] }, build: (tg, x) => tg.reduceSum(x.a!, [0, 2]) },
  'ReduceMax (maxout pairs)': { inputs: { a: [3, 8] }, build: (tg, x) => tg.reduceMax(tg.reshape(x.a!, [3, 4, 2]), [2]) },
  'SoftmaxCrossEntropy (fused adjoint)': {
    inputs: { a: [3, 5] },
    build: (tg, x) => tg.softmaxCrossEntropy(x.a!, tg.raw1('Reshape', [tg.int64s([4, 0, 2]), tg.int64s([3, 1])], {}, [3, 1], 'int64'), tg.constant(0.5), 0),
  },
  'SoftmaxCrossEntropy with label smoothing': {
    inputs: { a: [3, 5] },
    build: (tg, x) => tg.softmaxCrossEntropy(x.a!, tg.raw1('Reshape', [tg.int64s([1, 1, 3]), tg.int64s([3, 1])], {}, [3, 1], 'int64'), tg.constant(0.25), 0.1),
  },
  'a weight and bias reused over three recurrent steps (deferred, stacked adjoints)': {
    inputs: { x: [2, 3], w: [3, 3], b: [3] },
    build: (tg, x) => {
      let h = x.x!;
      for (let t = 0; t < 3; t++) h = tg.tanh(tg.add(tg.matmul(h, x.w!), x.b!));
      return h;
    },
  },
  'a 3-D input times a reused 2-D weight': {
    inputs: { x: [2, 3, 4], w: [4, 4] },
    build: (tg, x) => tg.matmul(tg.tanh(tg.matmul(x.x!, x.w!)), x.w!),
  },
  'a value used twice (adjoints summed)': { inputs: { a: [3, 3] }, build: (tg, x) => tg.mul(tg.tanh(x.a!), tg.matmul(x.a!, x.a!)) },
};

describe('vector–Jacobian rules against finite differences (float64)', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      expect(await maxRelativeError(c)).toBeLessThan(1e-7);
    });
  }

  it('gives zeros for an input the loss does not depend on', async () => {
    const tg = new TensorGraph('zeros', 'float64');
    const a = tg.input('a', [2, 2]);
    const b = tg.input('b', [3]);
    const [, gb] = gradients(tg, tg.reduceSum(tg.tanh(a), [0, 1]), [a, b]);
    tg.output(gb!, 'gb');
    const session = await createTrainingSession(tg.builder.toBytes(), { threads: 1 });
    const out = await session.run({ a: new ort.Tensor('float64', new Float64Array(4).fill(0.3), [2, 2]), b: new ort.Tensor('float64', new Float64Array(3).fill(1), [3]) });
    expect(Array.from(out.gb!.data as Float64Array)).toEqual([0, 0, 0]);
  });

  it('refuses an op without a rule by name', () => {
    const tg = new TensorGraph('norule', 'float64');
    const a = tg.input('a', [2]);
    expect(() => gradients(tg, tg.reduceSum(tg.unary('Sqrt', a), [0]), [a])).not.toThrow();
    const r = tg.records[tg.records.length - 1]!;
    r.op = 'Erf';
    expect(() => gradients(tg, r.outputs[0]!, [a])).toThrow(/no gradient rule for Erf/);
  });
});
