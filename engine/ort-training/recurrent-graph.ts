// Unrolled GRU and LSTM recurrences as TensorGraph nodes, with the equations of cells/gru.ts (gates
// r, z, n) and cells/lstm.ts (gates i, f, g, o; optional peepholes), and the padding rules of
// cells/rnn.ts: a padded step keeps the state and outputs zeros, and the backward direction, run from
// the last column down, starts at each row's last real token.
import type { CellState, GraphParams } from './graph-params.ts';
import type { TensorGraph, Value } from './tensor-graph.ts';

export interface CellWeights {
  kind: 'gru' | 'lstm';
  wih: Value; // [in, G*H]
  whh: Value; // [H, G*H]
  bih: Value; // [G*H]
  bhh: Value; // [G*H]
  /** LSTM peepholes [3, H] (rows i, f, o), or null. */
  peep: Value | null;
  hidden: number;
}

export function cellWeights(p: GraphParams, prefix: string): CellWeights {
  const whh = p.get(`${prefix}/w_hh`);
  const H = whh.shape[0] as number;
  const kind = whh.shape[1] === 4 * H ? 'lstm' : 'gru';
  const peep = p.has(`${prefix}/peephole`) ? p.get(`${prefix}/peephole`) : null;
  return { kind, wih: p.get(`${prefix}/w_ih`), whh, bih: p.get(`${prefix}/b_ih`), bhh: p.get(`${prefix}/b_hh`), peep, hidden: H };
}

/** One LSTM step (cells/lstm.ts) from the projected input [B, 4H]. */
export function lstmStep(tg: TensorGraph, w: CellWeights, xProj: Value, s: CellState): CellState {
  const H = w.hidden;
  const gates = tg.add(xProj, tg.add(tg.matmul(s.h, w.whh), w.bhh)); // [B, 4H]
  const [iPre, fPre, gPre, oPre] = tg.split(gates, 1, [H, H, H, H]);
  const c = s.c!;
  if (w.peep) {
    const [pi, pf, po] = tg.split(w.peep, 0, [1, 1, 1]); // [1, H] each
    const i = tg.sigmoid(tg.add(iPre!, tg.mul(c, pi!)));
    const f = tg.sigmoid(tg.add(fPre!, tg.mul(c, pf!)));
    const cNext = tg.add(tg.mul(f, c), tg.mul(i, tg.tanh(gPre!)));
    return { h: tg.mul(tg.sigmoid(tg.add(oPre!, tg.mul(cNext, po!))), tg.tanh(cNext)), c: cNext };
  }
  const cNext = tg.add(tg.mul(tg.sigmoid(fPre!), c), tg.mul(tg.sigmoid(iPre!), tg.tanh(gPre!)));
  return { h: tg.mul(tg.sigmoid(oPre!), tg.tanh(cNext)), c: cNext };
}

/** One step of either cell. */
export function cellStep(tg: TensorGraph, w: CellWeights, xProj: Value, s: CellState): CellState {
  return w.kind === 'lstm' ? lstmStep(tg, w, xProj, s) : { h: gruStep(tg, w, xProj, s.h) };
}

/** x·W_ih + b_ih: [rows.., in] → [rows.., 3H]. */
export function cellProject(tg: TensorGraph, w: CellWeights, x: Value): Value {
  return tg.add(tg.matmul(x, w.wih), w.bih);
}

/** One step from the projected input [B, 3H] and h [B, H] (cells/gru.ts opStep). */
export function gruStep(tg: TensorGraph, w: CellWeights, xProj: Value, h: Value): Value {
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
export function cellDirection(
  tg: TensorGraph,
  o: { w: CellWeights; steps: Value[]; masks: SequenceMasks; initial: CellState; reverse: boolean },
): { outputs: Value[]; final: CellState } {
  const S = o.steps.length;
  const outputs = new Array<Value>(S);
  let state = o.initial;
  const keep = (m: Value, next: Value, prev: Value) => tg.add(prev, tg.mul(m, tg.sub(next, prev))); // padding keeps the state
  for (let k = 0; k < S; k++) {
    const t = o.reverse ? S - 1 - k : k;
    const next = cellStep(tg, o.w, o.steps[t]!, state);
    const m = o.masks.columns?.[t];
    if (m) {
      state = next.c ? { h: keep(m, next.h, state.h), c: keep(m, next.c, state.c!) } : { h: keep(m, next.h, state.h) };
      outputs[t] = tg.mul(next.h, m);
    } else {
      state = next;
      outputs[t] = next.h;
    }
  }
  return { outputs, final: state };
}

/** A stack over x [B, S, in] (RnnStack.run): outputs [B, S, dirs*H] and each layer's final state [B, dirs*H]. */
export function cellStack(
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
    /** A direction's initial state (default zeros), as RnnRunOptions.initial. */
    initial?: (layer: number, dir: 'fw' | 'bw') => CellState;
  },
): { outputs: Value; finals: CellState[] } {
  const [B, S] = o.x.shape as [number, number];
  let input = o.x;
  const finals: CellState[] = [];
  for (let l = 0; l < o.layers; l++) {
    if (l > 0 && o.dropout) input = o.dropout(l, input);
    const dirs = o.bidirectional ? ['fw', 'bw'] : ['fw'];
    const runs = dirs.map((dir) => {
      const w = cellWeights(o.params, `${o.prefix}/l${l}/${dir}`);
      const proj = cellProject(tg, w, input); // [B, S, 3H]
      const G = w.kind === 'lstm' ? 4 : 3;
      const steps = tg.split(proj, 1, new Array<number>(S).fill(1)).map((s) => tg.reshape(s, [B, G * w.hidden]));
      const initial = o.initial?.(l, dir as 'fw' | 'bw') ?? (w.kind === 'lstm' ? { h: o.zeros(w.hidden), c: o.zeros(w.hidden) } : { h: o.zeros(w.hidden) });
      return cellDirection(tg, { w, steps, masks: o.masks, initial, reverse: dir === 'bw' });
    });
    const H = runs[0]!.final.h.shape[1] as number;
    const columns = Array.from({ length: S }, (_, t) => {
      const parts = runs.map((r) => r.outputs[t]!);
      return tg.reshape(parts.length === 1 ? parts[0]! : tg.concat(parts, 1), [B, 1, dirs.length * H]);
    });
    input = S === 1 ? columns[0]! : tg.concat(columns, 1); // [B, S, dirs*H]
    const join = (part: 'h' | 'c') => (runs.length === 1 ? runs[0]!.final[part]! : tg.concat(runs.map((r) => r.final[part]!), 1));
    finals.push(runs[0]!.final.c ? { h: join('h'), c: join('c') } : { h: join('h') });
  }
  return { outputs: input, finals };
}
