import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RnnStack } from '../../../engine/cells/rnn.ts';
import { ParamStore } from '../../../engine/models/params.ts';
import { loadReference } from '../../helpers/reference.ts';
import { expectClose } from '../../helpers/close.ts';

type Gates = Record<string, number[][] | number[]>;
interface LstmReference {
  input_size: number; hidden: number; time: number;
  x: number[][][]; h0: number[][][]; c0: number[][][];
  layers: { W_ih: Gates; W_hh: Gates; b_ih: Gates; b_hh: Gates }[];
  outputs: number[][][]; h_n: number[][][]; c_n: number[][][];
}

const gates = ['i', 'f', 'g', 'o'];
const stackWeights = (g: Gates) => tf.transpose(tf.concat(gates.map((k) => tf.tensor2d(g[k] as number[][])), 0));
const stackBias = (g: Gates) => tf.concat(gates.map((k) => tf.tensor1d(g[k] as number[])));

function build(ref: LstmReference, peephole: boolean): { params: ParamStore; rnn: RnnStack } {
  const params = new ParamStore(1);
  const rnn = new RnnStack(params, 'enc', { cell: 'lstm', input: ref.input_size, hidden: ref.hidden, layers: 2, bidirectional: false, peephole });
  const values = new Map<string, tf.Tensor>();
  ref.layers.forEach((l, i) => {
    values.set(`enc/l${i}/fw/w_ih`, stackWeights(l.W_ih));
    values.set(`enc/l${i}/fw/w_hh`, stackWeights(l.W_hh));
    values.set(`enc/l${i}/fw/b_ih`, stackBias(l.b_ih));
    values.set(`enc/l${i}/fw/b_hh`, stackBias(l.b_hh));
    if (peephole) values.set(`enc/l${i}/fw/peephole`, tf.zeros([3, ref.hidden]));
  });
  params.assign(values);
  return { params, rnn };
}

describe('LSTM against PyTorch', () => {
  const ref = loadReference<LstmReference>('lstm');
  const initial = [0, 1].map((l) => ({ h: tf.tensor2d(ref.h0[l]!), c: tf.tensor2d(ref.c0[l]!) }));
  const lengths = ref.x.map(() => ref.time);

  it('matches a 2-layer LSTM: outputs, final h and c', () => {
    const { rnn } = build(ref, false);
    const { outputs, finals } = rnn.run(tf.tensor3d(ref.x), { lengths, initial });
    expectClose(outputs.arraySync() as number[][][], ref.outputs);
    finals.forEach((s, l) => {
      expectClose(s.h.arraySync() as number[][], ref.h_n[l]!);
      expectClose(s.c!.arraySync() as number[][], ref.c_n[l]!);
    });
  });

  it('with zero peephole weights equals the plain LSTM, and peepholes change the output', () => {
    const { params, rnn } = build(ref, true);
    const run = () => rnn.run(tf.tensor3d(ref.x), { lengths, initial }).outputs.arraySync() as number[][][];
    expectClose(run(), ref.outputs);
    params.get('enc/l0/fw/peephole').assign(tf.fill([3, ref.hidden], 0.5));
    const changed = run().flat(2);
    const plain = ref.outputs.flat(2);
    expect(Math.max(...changed.map((v, i) => Math.abs(v - plain[i]!)))).toBeGreaterThan(1e-3);
  });
});
