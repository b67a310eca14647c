// Gated recurrent unit (Cho et al. 2014) with PyTorch's equations and gate order (r, z, n):
//   r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h
import * as tf from '@tensorflow/tfjs-core';
import { fusedGruAvailable, GRU_GATES, GRU_GATES_GRAD } from '../kernels/fused-gru.ts';
import type { ParamStore } from '../models/params.ts';
import type { Cell, CellState } from './cell.ts';

export class GruCell implements Cell {
  readonly kind = 'gru' as const;
  readonly gates = 3;
  readonly wih: tf.Variable; // [in, 3H]
  readonly whh: tf.Variable; // [H, 3H]
  readonly bih: tf.Variable; // [3H]
  readonly bhh: tf.Variable; // [3H]

  constructor(params: ParamStore, prefix: string, readonly input: number, readonly hidden: number) {
    const scale = 1 / Math.sqrt(hidden); // PyTorch's default initialisation
    this.wih = params.add(`${prefix}/w_ih`, [input, 3 * hidden], { kind: 'uniform', scale });
    this.whh = params.add(`${prefix}/w_hh`, [hidden, 3 * hidden], { kind: 'uniform', scale });
    this.bih = params.add(`${prefix}/b_ih`, [3 * hidden], { kind: 'uniform', scale });
    this.bhh = params.add(`${prefix}/b_hh`, [3 * hidden], { kind: 'uniform', scale });
  }

  project(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.wih), this.bih);
  }

  step(xProj: tf.Tensor, state: CellState): CellState {
    return { h: fusedGruAvailable() ? this.fusedStep(xProj, state.h) : this.opStep(xProj, state.h) };
  }

  /** One customGrad node: two fused kernels and the matmuls, with the gradient written out by hand. */
  private fusedStep(xProj: tf.Tensor, h: tf.Tensor): tf.Tensor {
    const step = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, hPrev, whh, bhh, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const hProj = tf.add(tf.matMul(hPrev, whh), bhh); // [B, 3H]
      const [hNext, gates] = tf.engine().runKernel(GRU_GATES, { xProj: x, hProj, h: hPrev }) as [tf.Tensor, tf.Tensor];
      save([hPrev, hProj, gates!, whh]);
      return {
        value: hNext!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [hs, hp, gs, w] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
          const [dx, dhp, dhDirect] = tf.engine().runKernel(GRU_GATES_GRAD, { dh: dy, gates: gs, h: hs, hProj: hp }) as tf.Tensor[];
          return [
            dx!,
            tf.add(dhDirect!, tf.matMul(dhp!, w, false, true)), // [B, H]
            tf.matMul(hs, dhp!, true, false), // [H, 3H]
            tf.sum(dhp!, 0), // [3H]
          ];
        },
      };
    });
    return step(xProj, h, this.whh, this.bhh);
  }

  private opStep(xProj: tf.Tensor, h: tf.Tensor): tf.Tensor {
    const state = { h };
    const H = this.hidden;
    const batch = xProj.shape[0];
    const hProj = tf.add(tf.matMul(state.h, this.whh), this.bhh); // [B, 3H]
    const rz = tf.sigmoid(tf.add(tf.slice(xProj, [0, 0], [batch, 2 * H]), tf.slice(hProj, [0, 0], [batch, 2 * H])));
    const r = tf.slice(rz, [0, 0], [batch, H]);
    const z = tf.slice(rz, [0, H], [batch, H]);
    const n = tf.tanh(tf.add(tf.slice(xProj, [0, 2 * H], [batch, H]), tf.mul(r, tf.slice(hProj, [0, 2 * H], [batch, H]))));
    return tf.add(n, tf.mul(z, tf.sub(state.h, n)));
  }

  zeroState(batch: number): CellState {
    return { h: tf.zeros([batch, this.hidden]) };
  }
}
