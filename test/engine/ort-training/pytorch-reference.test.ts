// The ORT training graphs' recurrences against PyTorch's own values (the shared reference fixtures the
// tfjs cells are checked against): a bidirectional GRU over padded rows — outputs, and the gradients of
// the input and of every weight the fixture lists, through gradients.ts — and a 2-layer LSTM.
import { describe, expect, it } from 'vitest';
import { gradients } from '../../../engine/ort-training/gradients.ts';
import { GraphParams } from '../../../engine/ort-training/graph-params.ts';
import { cellStack } from '../../../engine/ort-training/recurrent-graph.ts';
import { createTrainingSession, ort } from '../../../engine/ort-training/session.ts';
import { TensorGraph } from '../../../engine/ort-training/tensor-graph.ts';
import { expectClose, flat } from '../../helpers/close.ts';
import { loadReference } from '../../helpers/reference.ts';

type Gates = Record<string, number[][] | number[]>;
interface Direction { W_ih: Gates; W_hh: Gates; b_ih: Gates; b_hh: Gates }
interface GruReference {
  batch: number; time: number; input_size: number; hidden: number; lengths: number[];
  x: number[][][]; h0: number[][][]; proj: number[][][]; forward: Direction; backward: Direction;
  outputs: number[][][]; loss: number;
  grad: { x: number[][][]; forward: Record<string, Record<string, number[][]>>; backward: Record<string, Record<string, number[][]>> };
}

interface LstmReference {
  batch: number; time: number; input_size: number; hidden: number;
  x: number[][][]; h0: number[][][]; c0: number[][][]; layers: Direction[];
  outputs: number[][][]; h_n: number[][][]; c_n: number[][][];
}

const GRU_GATES = ['r', 'z', 'n'];
/** PyTorch's LSTM gate order, which is also Parley's (lstmStep splits i, f, g, o). */
const LSTM_GATES = ['i', 'f', 'g', 'o'];
/** PyTorch's per-gate [out, in] → Parley's [in, G·out], row-major. */
function stackWeights(g: Gates, gates = GRU_GATES): Float64Array {
  const mats = gates.map((k) => g[k] as number[][]);
  const G = gates.length;
  const out = mats[0]!.length;
  const input = mats[0]![0]!.length;
  const data = new Float64Array(input * G * out);
  mats.forEach((m, gate) => m.forEach((row, o) => row.forEach((v, i) => (data[i * G * out + gate * out + o] = v))));
  return data;
}
const stackBias = (g: Gates, gates = GRU_GATES) => Float64Array.from(gates.flatMap((k) => g[k] as number[]));

describe('ORT GRU graph against PyTorch', () => {
  it('matches the outputs, the loss and the gradients of input and weights (float64)', async () => {
    const ref = loadReference<GruReference>('gru');
    const { batch: B, time: T, input_size: E, hidden: H } = ref;
    const tg = new TensorGraph('gru_reference', 'float64');
    const shapes = ['fw', 'bw'].flatMap((d) => [
      [`enc/l0/${d}/w_ih`, [E, 3 * H]], [`enc/l0/${d}/w_hh`, [H, 3 * H]], [`enc/l0/${d}/b_ih`, [3 * H]], [`enc/l0/${d}/b_hh`, [3 * H]],
    ] as const);
    const p = new GraphParams(tg, shapes);
    const x = tg.input('x', [B, T, E]);
    const columns = Array.from({ length: T }, (_, t) => tg.constant(ref.lengths.map((len) => (t < len ? 1 : 0)), [B, 1]));
    const { outputs } = cellStack(tg, {
      params: p, prefix: 'enc', layers: 1, bidirectional: true, x, masks: { columns }, zeros: () => { throw new Error('unused'); },
      initial: (_l, dir) => ({ h: tg.constant(flat(ref.h0[dir === 'fw' ? 0 : 1]!), [B, H]) }),
    });
    const loss = tg.reduceSum(tg.mul(outputs, tg.constant(flat(ref.proj), [B, T, 2 * H])), [0, 1, 2]);
    const wrt = [x, ...p.all().map((a) => a.value)];
    const grads = gradients(tg, loss, wrt);
    tg.output(outputs, 'outputs');
    tg.output(loss, 'loss');
    grads.forEach((g, k) => tg.output(g, `grad_${k}`));
    const session = await createTrainingSession(tg.builder.toBytes(), { threads: 1 });
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float64', Float64Array.from(flat(ref.x)), [B, T, E]) };
    for (const [dir, d] of [['fw', ref.forward], ['bw', ref.backward]] as const) {
      feeds[`enc/l0/${dir}/w_ih`] = new ort.Tensor('float64', stackWeights(d.W_ih), [E, 3 * H]);
      feeds[`enc/l0/${dir}/w_hh`] = new ort.Tensor('float64', stackWeights(d.W_hh), [H, 3 * H]);
      feeds[`enc/l0/${dir}/b_ih`] = new ort.Tensor('float64', stackBias(d.b_ih), [3 * H]);
      feeds[`enc/l0/${dir}/b_hh`] = new ort.Tensor('float64', stackBias(d.b_hh), [3 * H]);
    }
    const out = await session.run(feeds);
    expectClose(out.outputs!.data as Float64Array, flat(ref.outputs), 1e-9, 1e-12);
    expectClose(out.loss!.data as Float64Array, [ref.loss], 1e-9, 1e-12);
    expectClose(out.grad_0!.data as Float64Array, flat(ref.grad.x), 1e-9, 1e-12);
    let checked = 0;
    for (const [dir, name] of [['fw', 'forward'], ['bw', 'backward']] as const) {
      for (const w of ['W_ih', 'W_hh'] as const) {
        const want = ref.grad[name][w];
        if (!want) continue; // the fixture lists only some gradients
        const k = 1 + shapes.findIndex(([n]) => n === `enc/l0/${dir}/${w.toLowerCase()}`);
        expectClose(out[`grad_${k}`]!.data as Float64Array, stackWeights(want), 1e-9, 1e-12);
        checked++;
      }
    }
    expect(checked).toBe(3);
    await session.release();
  });
});

describe('ORT LSTM graph against PyTorch', () => {
  it('matches a 2-layer LSTM: outputs and each layer\'s final h and c, with and without the padding path (float64)', async () => {
    const ref = loadReference<LstmReference>('lstm');
    const { batch: B, time: T, input_size: E, hidden: H } = ref;
    const L = ref.layers.length;
    const tg = new TensorGraph('lstm_reference', 'float64');
    const p = new GraphParams(tg, ref.layers.flatMap((_, l) => [
      [`enc/l${l}/fw/w_ih`, [l === 0 ? E : H, 4 * H]], [`enc/l${l}/fw/w_hh`, [H, 4 * H]], [`enc/l${l}/fw/b_ih`, [4 * H]], [`enc/l${l}/fw/b_hh`, [4 * H]],
    ] as const));
    const x = tg.input('x', [B, T, E]);
    const initial = (l: number) => ({ h: tg.constant(flat(ref.h0[l]!), [B, H]), c: tg.constant(flat(ref.c0[l]!), [B, H]) });
    // The fixture has no padding; all-ones masks run the graph's padding path (keep the state where a
    // row has ended), which must then change nothing.
    const ones = Array.from({ length: T }, () => tg.constant(new Array<number>(B).fill(1), [B, 1]));
    const runs = [null, ones].map((columns) => cellStack(tg, {
      params: p, prefix: 'enc', layers: L, bidirectional: false, x, masks: { columns }, zeros: () => { throw new Error('unused'); }, initial,
    }));
    runs.forEach((r, k) => {
      tg.output(r.outputs, `outputs_${k}`);
      r.finals.forEach((s, l) => {
        tg.output(s.h, `h_${k}_${l}`);
        tg.output(s.c!, `c_${k}_${l}`);
      });
    });
    const session = await createTrainingSession(tg.builder.toBytes(), { threads: 1 });
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float64', Float64Array.from(flat(ref.x)), [B, T, E]) };
    ref.layers.forEach((d, l) => {
      feeds[`enc/l${l}/fw/w_ih`] = new ort.Tensor('float64', stackWeights(d.W_ih, LSTM_GATES), [l === 0 ? E : H, 4 * H]);
      feeds[`enc/l${l}/fw/w_hh`] = new ort.Tensor('float64', stackWeights(d.W_hh, LSTM_GATES), [H, 4 * H]);
      feeds[`enc/l${l}/fw/b_ih`] = new ort.Tensor('float64', stackBias(d.b_ih, LSTM_GATES), [4 * H]);
      feeds[`enc/l${l}/fw/b_hh`] = new ort.Tensor('float64', stackBias(d.b_hh, LSTM_GATES), [4 * H]);
    });
    const out = await session.run(feeds);
    for (const k of [0, 1]) {
      expectClose(out[`outputs_${k}`]!.data as Float64Array, flat(ref.outputs), 1e-9, 1e-12);
      for (let l = 0; l < L; l++) {
        expectClose(out[`h_${k}_${l}`]!.data as Float64Array, flat(ref.h_n[l]!), 1e-9, 1e-12);
        expectClose(out[`c_${k}_${l}`]!.data as Float64Array, flat(ref.c_n[l]!), 1e-9, 1e-12);
      }
    }
    await session.release();
  });
});
