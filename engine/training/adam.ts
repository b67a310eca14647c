// Adam (Kingma & Ba 2015) over a ParamStore, with its moments keyed by parameter name so that a
// checkpoint saves and restores them exactly, independent of tfjs' global variable names.
import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '../models/params.ts';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export class Adam {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Number of updates applied so far (for bias correction). */
  t = 0;

  constructor(private readonly params: ParamStore, private readonly o: AdamOptions = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }) {
    for (const [name, p] of params.entries()) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** grads by parameter name; `scale` multiplies every gradient first (global-norm clipping). */
  apply(grads: Map<string, tf.Tensor>, learningRate: number, scale = 1): void {
    this.t++;
    const { beta1, beta2, epsilon } = this.o;
    // Fold both bias corrections into the step size (Kingma & Ba, end of §2).
    const alpha = (learningRate * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    tf.tidy(() => {
      for (const [name, g0] of grads) {
        const p = this.params.get(name);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const g = scale === 1 ? g0 : tf.mul(g0, scale);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        p.assign(tf.sub(p, tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(v), epsilon))));
      }
    });
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
