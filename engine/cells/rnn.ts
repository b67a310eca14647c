// A stack of recurrent layers over padded batches, unidirectional or bidirectional, matching PyTorch's
// packed sequences: a padded step leaves the state unchanged and outputs zeros, and the backward
// direction starts at each row's last real token.
import * as tf from '@tensorflow/tfjs-core';
import type { CellKind } from '../config.ts';
import type { ParamStore } from '../models/params.ts';
import type { Random } from '../random.ts';
import { maskState, type Cell, type CellState } from './cell.ts';
import { GruCell } from './gru.ts';
import { LstmCell } from './lstm.ts';

export interface RnnStackOptions {
  cell: CellKind;
  input: number;
  hidden: number;
  layers: number;
  bidirectional: boolean;
  peephole: boolean;
}

export interface RnnRunOptions {
  /** Real length of each row; rows are padded after it. */
  lengths: number[];
  /** Dropout between layers while training (Zaremba et al. 2014: not on the recurrent connections). */
  dropout?: number;
  rng?: Random;
  /** Initial state per layer (both directions concatenated); zeros when absent. */
  initial?: CellState[];
  /**
   * No gradient will be taken (inference): each step runs in its own tidy and the step before it is
   * released, so only the states and outputs outlive a step, not every gate of every step until the
   * caller's tidy ends (the 12M chat model's encoder held ~16 MiB a row of a 64-token source that way).
   */
  inference?: boolean;
}

export interface RnnRunResult {
  outputs: tf.Tensor; // [batch, time, width]
  /** Final state of each layer, directions concatenated: h [batch, width] (and c for LSTM). */
  finals: CellState[];
}

export function makeCell(params: ParamStore, prefix: string, o: { cell: CellKind; input: number; hidden: number; peephole: boolean }): Cell {
  return o.cell === 'gru'
    ? new GruCell(params, prefix, o.input, o.hidden)
    : new LstmCell(params, prefix, { input: o.input, hidden: o.hidden, peephole: o.peephole });
}

/** Index map that reverses each row of a flattened [batch, time] grid within its length (an involution). */
export function reversalIndices(lengths: number[], time: number): Int32Array {
  const idx = new Int32Array(lengths.length * time);
  lengths.forEach((len, b) => {
    for (let t = 0; t < time; t++) idx[b * time + t] = b * time + (t < len ? len - 1 - t : t);
  });
  return idx;
}

export class RnnStack {
  readonly layers: { fw: Cell; bw: Cell | null }[] = [];
  readonly width: number;

  constructor(params: ParamStore, prefix: string, readonly options: RnnStackOptions) {
    const dirs = options.bidirectional ? 2 : 1;
    this.width = options.hidden * dirs;
    for (let l = 0; l < options.layers; l++) {
      const cellOptions = { ...options, input: l === 0 ? options.input : this.width };
      this.layers.push({
        fw: makeCell(params, `${prefix}/l${l}/fw`, cellOptions),
        bw: options.bidirectional ? makeCell(params, `${prefix}/l${l}/bw`, cellOptions) : null,
      });
    }
  }

  /** x: [batch, time, input]. */
  run(x: tf.Tensor, o: RnnRunOptions): RnnRunResult {
    const [batch, time] = x.shape as [number, number, number];
    const padded = o.lengths.some((len) => len < time);
    // [time] × [batch, 1] of 0/1, only when some row is padded
    const masks = padded
      ? tf.unstack(tf.tensor3d(Array.from({ length: time }, (_, t) => o.lengths.map((len) => [t < len ? 1 : 0])), [time, batch, 1]))
      : null;
    const reverse = this.options.bidirectional ? tf.tensor1d(reversalIndices(o.lengths, time), 'int32') : null;
    const finals: CellState[] = [];
    let input = x;
    this.layers.forEach((layer, l) => {
      if (l > 0 && o.dropout && o.rng) input = tf.dropout(input, o.dropout, undefined, o.rng.seed());
      const flat = tf.reshape(input, [batch * time, -1]); // [B*T, in]
      const initial = o.initial?.[l];
      const H = this.options.hidden;
      const fwInit = initial ? sliceState(initial, 0, H) : layer.fw.zeroState(batch);
      const inference = o.inference ?? false;
      const fw = runDirection(layer.fw, layer.fw.project(flat), { batch, time, masks, initial: fwInit, inference });
      if (!layer.bw || !reverse) {
        input = fw.outputs;
        finals.push(fw.final);
        return;
      }
      const bwInit = initial ? sliceState(initial, H, H) : layer.bw.zeroState(batch);
      const bw = runDirection(layer.bw, layer.bw.project(tf.gather(flat, reverse)), { batch, time, masks, initial: bwInit, inference });
      const bwOutputs = tf.reshape(tf.gather(tf.reshape(bw.outputs, [batch * time, H]), reverse), [batch, time, H]);
      input = tf.concat([fw.outputs, bwOutputs], 2);
      finals.push(concatStates(fw.final, bw.final));
    });
    return { outputs: input, finals };
  }
}

function runDirection(
  cell: Cell,
  proj: tf.Tensor, // [B*T, gates*H]
  o: { batch: number; time: number; masks: tf.Tensor[] | null; initial: CellState; inference: boolean },
): { outputs: tf.Tensor; final: CellState } {
  const steps = tf.unstack(tf.reshape(proj, [o.batch, o.time, -1]), 1); // [T] × [B, gates*H]
  let state = o.initial;
  const outputs: tf.Tensor[] = [];
  const advance = (t: number, prev: CellState): { state: CellState; output: tf.Tensor } => {
    const next = cell.step(steps[t]!, prev);
    const mask = o.masks?.[t];
    return mask ? { state: maskState(next, prev, mask), output: tf.mul(next.h, mask) } : { state: next, output: next.h };
  };
  for (let t = 0; t < o.time; t++) {
    if (!o.inference) {
      const step = advance(t, state);
      state = step.state;
      outputs.push(step.output);
      continue;
    }
    const prev = state;
    const step = tf.tidy(() => {
      const s = advance(t, prev);
      return { h: s.state.h, ...(s.state.c ? { c: s.state.c } : {}), output: s.output };
    });
    state = step.c ? { h: step.h, c: step.c } : { h: step.h };
    outputs.push(step.output);
    // The step's input and the state before it are spent, except an h that is also the last output
    // (an unmasked step outputs its h) and the initial state, which is the caller's.
    steps[t]!.dispose();
    if (prev !== o.initial) disposeState(prev, state, t > 0 ? outputs[t - 1]! : null);
  }
  const stacked = tf.stack(outputs, 1); // [B, T, H]
  if (o.inference) tf.dispose(outputs.filter((x) => x !== state.h));
  return { outputs: stacked, final: state };
}

/** Disposes a spent state's tensors, except any that the new state or an output still is. */
function disposeState(spent: CellState, kept: CellState, output: tf.Tensor | null): void {
  const alive = new Set([kept.h, kept.c, output]);
  for (const x of [spent.h, spent.c]) if (x && !alive.has(x)) x.dispose();
}

function sliceState(s: CellState, start: number, size: number): CellState {
  const cut = (t: tf.Tensor) => tf.slice(t, [0, start], [-1, size]);
  return s.c ? { h: cut(s.h), c: cut(s.c) } : { h: cut(s.h) };
}

function concatStates(a: CellState, b: CellState): CellState {
  return a.c && b.c ? { h: tf.concat([a.h, b.h], 1), c: tf.concat([a.c, b.c], 1) } : { h: tf.concat([a.h, b.h], 1) };
}
