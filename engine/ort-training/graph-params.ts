// A model's parameters as graph inputs, under the ParamStore's own names (so the tfjs engine's weights,
// checkpoints and Adam moments map one to one), with the shapes the tfjs model gave them.
import type { TensorGraph, Value } from './tensor-graph.ts';

export interface CellState {
  h: Value; // [B, H]
  c?: Value; // [B, H], LSTM only
}

export type ParamShapes = ReadonlyArray<readonly [name: string, shape: readonly number[]]>;

export class GraphParams {
  private readonly values = new Map<string, Value>();

  constructor(tg: TensorGraph, readonly shapes: ParamShapes) {
    for (const [name, shape] of shapes) this.values.set(name, tg.input(name, [...shape]));
  }

  get(name: string): Value {
    const v = this.values.get(name);
    if (!v) throw new Error(`training graph: no parameter "${name}"`);
    return v;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** Every parameter, in the ParamStore's order. */
  all(): { name: string; value: Value }[] {
    return this.shapes.map(([name]) => ({ name, value: this.values.get(name)! }));
  }
}
