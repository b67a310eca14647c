// The ORT training graphs against PyTorch's own values (the shared reference fixtures the tfjs cells are
// checked against): a bidirectional GRU over padded rows — outputs, and the gradients of the input and
// of every weight the fixture lists, through gradients.ts.
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

const GATES = ['r', 'z', 'n'];
/** PyTorch's per-gate [out, in] → Parley's [in, 3·out], row-major. */
function stackWeights(g: Gates): Float64Array {
  const mats = GATES.map((k) => g[k] as number[][]);
  const out = mats[0]!.length;
  const input = mats[0]![0]!.length;
  const data = new Float64Array(input * 3 * out);
  mats.forEach((m, gate) => m.forEach((row, o) => row.forEach((v, i) => (data[i * 3 * out + gate * out + o] = v))));
  return data;
}
const stackBias = (g: Gates) => Float64Array.from(GATES.flatMap((k) => g[k] as number[]));

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
