// Named, seeded model parameters: every weight of a model lives here under a stable name, which is
// what checkpoints save and the ONNX exporter reads.
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../random.ts';

export type Init =
  | { kind: 'uniform'; scale: number }
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'glorot' };

export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly rng: Random;

  constructor(seed: number) {
    this.rng = new Random(seed);
  }

  /** Create a trainable parameter; names are unique. */
  add(name: string, shape: number[], init: Init): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter "${name}" defined twice`);
    const seed = this.rng.seed();
    const value = tf.tidy(() => {
      switch (init.kind) {
        case 'zeros':
          return tf.zeros(shape);
        case 'ones':
          return tf.ones(shape);
        case 'uniform':
          return tf.randomUniform(shape, -init.scale, init.scale, 'float32', seed);
        case 'glorot': {
          const fanIn = shape.length > 1 ? shape[shape.length - 2]! : shape[0]!;
          const fanOut = shape[shape.length - 1]!;
          const limit = Math.sqrt(6 / (fanIn + fanOut));
          return tf.randomUniform(shape, -limit, limit, 'float32', seed);
        }
      }
    });
    const v = tf.variable(value, true, `${name}_${ParamStore.counter++}`);
    value.dispose();
    this.vars.set(name, v);
    return v;
  }

  private static counter = 0;

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter "${name}"`);
    return v;
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  /** Parameter names in a stable order (creation order). */
  names(): string[] {
    return [...this.vars.keys()];
  }

  entries(): [string, tf.Variable][] {
    return [...this.vars.entries()];
  }

  /** Total number of scalars. */
  size(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /** Replace values by name; shapes must match exactly. */
  assign(values: Map<string, tf.Tensor>): void {
    for (const [name, v] of this.vars) {
      const t = values.get(name);
      if (!t) throw new Error(`missing parameter "${name}"`);
      if (!tf.util.arraysEqual(t.shape, v.shape)) {
        throw new Error(`parameter "${name}" has shape [${t.shape}], expected [${v.shape}]`);
      }
      v.assign(t);
    }
    for (const name of values.keys()) {
      if (!this.vars.has(name)) throw new Error(`unexpected parameter "${name}"`);
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
