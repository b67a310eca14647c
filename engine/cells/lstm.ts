// LSTM with forget gate (Gers et al. 2000), PyTorch's equations and gate order (i, f, g, o), and
// optional peephole connections (Gers & Schmidhuber 2000): i and f see c_{t−1}, o sees c_t.
import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '../models/params.ts';
import type { Cell, CellState } from './cell.ts';

export class LstmCell implements Cell {
  readonly kind = 'lstm' as const;
  readonly gates = 4;
  readonly wih: tf.Variable; // [in, 4H]
  readonly whh: tf.Variable; // [H, 4H]
  readonly bih: tf.Variable; // [4H]
  readonly bhh: tf.Variable; // [4H]
  /** Peephole weights [3, H]: rows for i, f, o. */
  readonly peep: tf.Variable | null;

  constructor(params: ParamStore, prefix: string, options: { input: number; hidden: number; peephole: boolean }) {
    const { input, hidden } = options;
    this.hidden = hidden;
    const scale = 1 / Math.sqrt(hidden);
    this.wih = params.add(`${prefix}/w_ih`, [input, 4 * hidden], { kind: 'uniform', scale });
    this.whh = params.add(`${prefix}/w_hh`, [hidden, 4 * hidden], { kind: 'uniform', scale });
    this.bih = params.add(`${prefix}/b_ih`, [4 * hidden], { kind: 'uniform', scale });
    this.bhh = params.add(`${prefix}/b_hh`, [4 * hidden], { kind: 'uniform', scale });
    this.peep = options.peephole ? params.add(`${prefix}/peephole`, [3, hidden], { kind: 'uniform', scale }) : null;
  }

  readonly hidden: number;

  project(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.wih), this.bih);
  }

  step(xProj: tf.Tensor, state: CellState): CellState {
    const H = this.hidden;
    const batch = xProj.shape[0];
    const c = state.c!;
    const gates = tf.add(xProj, tf.add(tf.matMul(state.h, this.whh), this.bhh)); // [B, 4H]
    const part = (k: number) => tf.slice(gates, [0, k * H], [batch, H]);
    let i: tf.Tensor, f: tf.Tensor, oPre = part(3);
    if (this.peep) {
      const [pi, pf, po] = tf.split(this.peep, 3, 0) as [tf.Tensor, tf.Tensor, tf.Tensor];
      i = tf.sigmoid(tf.add(part(0), tf.mul(c, pi)));
      f = tf.sigmoid(tf.add(part(1), tf.mul(c, pf)));
      const g = tf.tanh(part(2));
      const cNext = tf.add(tf.mul(f, c), tf.mul(i, g));
      oPre = tf.add(oPre, tf.mul(cNext, po));
      return { h: tf.mul(tf.sigmoid(oPre), tf.tanh(cNext)), c: cNext };
    }
    const ifo = tf.sigmoid(tf.concat([tf.slice(gates, [0, 0], [batch, 2 * H]), oPre], 1));
    i = tf.slice(ifo, [0, 0], [batch, H]);
    f = tf.slice(ifo, [0, H], [batch, H]);
    const o = tf.slice(ifo, [0, 2 * H], [batch, H]);
    const cNext = tf.add(tf.mul(f, c), tf.mul(i, tf.tanh(part(2))));
    return { h: tf.mul(o, tf.tanh(cNext)), c: cNext };
  }

  zeroState(batch: number): CellState {
    return { h: tf.zeros([batch, this.hidden]), c: tf.zeros([batch, this.hidden]) };
  }
}
