// Token embeddings: a [vocab, dim] table looked up with gather (its gradient is a segment sum).
import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '../models/params.ts';

export class Embedding {
  readonly table: tf.Variable; // [vocab, dim]

  constructor(params: ParamStore, name: string, readonly vocab: number, readonly dim: number) {
    this.table = params.add(name, [vocab, dim], { kind: 'uniform', scale: 0.1 });
  }

  /** ids: int32 of any shape → that shape + [dim]. */
  lookup(ids: tf.Tensor): tf.Tensor {
    return tf.gather(this.table, ids);
  }
}
