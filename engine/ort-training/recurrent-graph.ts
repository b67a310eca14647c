// Unrolled GRU recurrences as TensorGraph nodes, with the equations of cells/gru.ts (PyTorch's GRU,
// gates r, z, n) and the padding rules of cells/rnn.ts: a padded step keeps the state and outputs zeros,
// and the backward direction, run from the last column down, starts at each row's last real token.
import type { CellState, GraphParams } from './graph-params.ts';
import type { TensorGraph, Value } from './tensor-graph.ts';

export interface GruWeights {
  wih: Value; // [in, 3H]
  whh: Value; // [H, 3H]
  bih: Value; // [3H]
  bhh: Value; // [3H]
  hidden: number;
}

export function gruWeights(p: GraphParams, prefix: string): GruWeights {
  const whh = p.get(`${prefix}/w_hh`);
  return { wih: p.get(`${prefix}/w_ih`), whh, bih: p.get(`${prefix}/b_ih`), bhh: p.get(`${prefix}/b_hh`), hidden: whh.shape[0] as number };
}

/** x·W_ih + b_ih: [rows.., in] → [rows.., 3H]. */
export function gruProject(tg: TensorGraph, w: GruWeights, x: Value): Value {
  return tg.add(tg.matmul(x, w.wih), w.bih);
}

/** One step from the projected input [B, 3H] and h [B, H] (cells/gru.ts opStep). */
export function gruStep(tg: TensorGraph, w: GruWeights, xProj: Value, h: Value): Value {
  const H = w.hidden;
  const hProj = tg.add(tg.matmul(h, w.whh), w.bhh); // [B, 3H]
  const [xRz, xN] = tg.split(xProj, 1, [2 * H, H]);
  const [hRz, hN] = tg.split(hProj, 1, [2 * H, H]);
  const [r, z] = tg.split(tg.sigmoid(tg.add(xRz!, hRz!)), 1, [H, H]);
  const n = tg.tanh(tg.add(xN!, tg.mul(r!, hN!)));
  return tg.add(n, tg.mul(z!, tg.sub(h, n))); // (1 − z)·n + z·h
}

export interface SequenceMasks {
  /** Per source column, [B, 1] of 0/1; null when no row is padded. */
  columns: Value[] | null;
}

/** One direction over projected inputs (one [B, 3H] per column): outputs per column and the final state. */
export function gruDirection(
  tg: TensorGraph,
  o: { w: GruWeights; steps: Value[]; masks: SequenceMasks; initial: Value; reverse: boolean },
): { outputs: Value[]; final: Value } {
  const S = o.steps.length;
  const outputs = new Array<Value>(S);
  let h = o.initial;
  for (let k = 0; k < S; k++) {
    const t = o.reverse ? S - 1 - k : k;
    const next = gruStep(tg, o.w, o.steps[t]!, h);
    const m = o.masks.columns?.[t];
    if (m) {
      h = tg.add(h, tg.mul(m, tg.sub(next, h))); // padding keeps the state
      outputs[t] = tg.mul(next, m);
    } else {
      h = next;
      outputs[t] = next;
    }
  }
  return { outputs, final: h };
}

/** A stack over x [B, S, in] (RnnStack.run): outputs [B, S, dirs*H] and each layer's final state [B, dirs*H]. */
export function gruStack(
  tg: TensorGraph,
  o: {
    params: GraphParams;
    prefix: string;
    layers: number;
    bidirectional: boolean;
    x: Value;
    masks: SequenceMasks;
    zeros: (width: number) => Value;
    /** Dropout on a layer's input, for layers ≥ 1 (RnnStack.run). */
    dropout?: (layer: number, input: Value) => Value;
  },
): { outputs: Value; finals: CellState[] } {
  const [B, S] = o.x.shape as [number, number];
  let input = o.x;
  const finals: CellState[] = [];
  for (let l = 0; l < o.layers; l++) {
    if (l > 0 && o.dropout) input = o.dropout(l, input);
    const dirs = o.bidirectional ? ['fw', 'bw'] : ['fw'];
    const runs = dirs.map((dir) => {
      const w = gruWeights(o.params, `${o.prefix}/l${l}/${dir}`);
      const proj = gruProject(tg, w, input); // [B, S, 3H]
      const steps = tg.split(proj, 1, new Array<number>(S).fill(1)).map((s) => tg.reshape(s, [B, 3 * w.hidden]));
      return gruDirection(tg, { w, steps, masks: o.masks, initial: o.zeros(w.hidden), reverse: dir === 'bw' });
    });
    const H = runs[0]!.final.shape[1] as number;
    const columns = Array.from({ length: S }, (_, t) => {
      const parts = runs.map((r) => r.outputs[t]!);
      return tg.reshape(parts.length === 1 ? parts[0]! : tg.concat(parts, 1), [B, 1, dirs.length * H]);
    });
    input = S === 1 ? columns[0]! : tg.concat(columns, 1); // [B, S, dirs*H]
    finals.push({ h: runs.length === 1 ? runs[0]!.final : tg.concat(runs.map((r) => r.final), 1) });
  }
  return { outputs: input, finals };
}
