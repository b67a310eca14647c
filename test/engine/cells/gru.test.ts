import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { RnnStack } from '../../../engine/cells/rnn.ts';
import { ParamStore } from '../../../engine/models/params.ts';
import { loadReference } from '../../helpers/reference.ts';
import { expectClose } from '../../helpers/close.ts';

type Gates = Record<string, number[][] | number[]>;
interface Direction { W_ih: Gates; W_hh: Gates; b_ih: Gates; b_hh: Gates }
interface GruReference {
  batch: number; time: number; input_size: number; hidden: number; lengths: number[];
  x: number[][][]; h0: number[][][]; proj: number[][][]; forward: Direction; backward: Direction;
  outputs: number[][][]; h_n: number[][][]; loss: number;
  grad: { x: number[][][]; forward: Record<string, Record<string, number[][]>>; backward: Record<string, Record<string, number[][]>> };
}

const gates = ['r', 'z', 'n'];
/** PyTorch's per-gate [out, in] matrices → Parley's [in, gates*out]. */
const stackWeights = (g: Gates) => tf.transpose(tf.concat(gates.map((k) => tf.tensor2d(g[k] as number[][])), 0));
const stackBias = (g: Gates) => tf.concat(gates.map((k) => tf.tensor1d(g[k] as number[])));

describe('GRU against PyTorch', () => {
  const ref = loadReference<GruReference>('gru');
  let params: ParamStore;
  let rnn: RnnStack;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    params = new ParamStore(1);
    rnn = new RnnStack(params, 'enc', { cell: 'gru', input: ref.input_size, hidden: ref.hidden, layers: 1, bidirectional: true, peephole: false });
    const values = new Map<string, tf.Tensor>();
    for (const [dir, d] of [['fw', ref.forward], ['bw', ref.backward]] as const) {
      values.set(`enc/l0/${dir}/w_ih`, stackWeights(d.W_ih));
      values.set(`enc/l0/${dir}/w_hh`, stackWeights(d.W_hh));
      values.set(`enc/l0/${dir}/b_ih`, stackBias(d.b_ih));
      values.set(`enc/l0/${dir}/b_hh`, stackBias(d.b_hh));
    }
    params.assign(values);
  });

  const run = (x: tf.Tensor) =>
    rnn.run(x, { lengths: ref.lengths, initial: [{ h: tf.concat([tf.tensor2d(ref.h0[0]!), tf.tensor2d(ref.h0[1]!)], 1) }] });

  it('matches outputs and final states, with padded rows and a per-row backward start', () => {
    const { outputs, finals } = run(tf.tensor3d(ref.x));
    expectClose(outputs.arraySync() as number[][][], ref.outputs);
    const h = finals[0]!.h;
    expectClose(tf.slice(h, [0, 0], [-1, ref.hidden]).arraySync() as number[][], ref.h_n[0]!);
    expectClose(tf.slice(h, [0, ref.hidden], [-1, ref.hidden]).arraySync() as number[][], ref.h_n[1]!);
  });

  it('outputs zeros at padded steps', () => {
    const out = run(tf.tensor3d(ref.x)).outputs.arraySync() as number[][][];
    ref.lengths.forEach((len, b) => {
      for (let t = len; t < ref.time; t++) expect(out[b]![t]!.every((v) => v === 0)).toBe(true);
    });
  });

  it('matches the loss and the gradients of inputs and weights', () => {
    const x = tf.variable(tf.tensor3d(ref.x));
    const proj = tf.tensor3d(ref.proj);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(run(x).outputs, proj)) as tf.Scalar);
    expectClose(value.dataSync(), [ref.loss]);
    expectClose(grads[x.name]!.arraySync() as number[][][], ref.grad.x);
    const H = ref.hidden;
    let checked = 0;
    for (const [dir, name] of [['fw', 'forward'], ['bw', 'backward']] as const) {
      for (const w of ['W_ih', 'W_hh'] as const) {
        if (!ref.grad[name][w]) continue; // the fixture lists only some gradients
        const g = grads[params.get(`enc/l0/${dir}/${w.toLowerCase()}`).name]!; // [in, 3H]
        gates.forEach((k, i) => {
          const mine = tf.transpose(tf.slice(g, [0, i * H], [-1, H])).arraySync() as number[][];
          expectClose(mine, ref.grad[name][w]![k]!);
          checked++;
        });
      }
    }
    expect(checked).toBe(9);
  });
});
