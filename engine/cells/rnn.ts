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
      const fw = runDirection(layer.fw, layer.fw.project(flat), { batch, time, masks, initial: fwInit });
      if (!layer.bw || !reverse) {
        input = fw.outputs;
        finals.push(fw.final);
        return;
      }
      const bwInit = initial ? sliceState(initial, H, H) : layer.bw.zeroState(batch);
      const bw = runDirection(layer.bw, layer.bw.project(tf.gather(flat, reverse)), { batch, time, masks, initial: bwInit });
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
  o: { batch: number; time: number; masks: tf.Tensor[] | null; initial: CellState },
): { outputs: tf.Tensor; final: CellState } {
  const steps = tf.unstack(tf.reshape(proj, [o.batch, o.time, -1]), 1); // [T] × [B, gates*H]
  let state = o.initial;
  const outputs: tf.Tensor[] = [];
  for (let t = 0; t < o.time; t++) {
    const next = cell.step(steps[t]!, state);
    const mask = o.masks?.[t];
    if (mask) {
      state = maskState(next, state, mask);
      outputs.push(tf.mul(next.h, mask));
    } else {
      state = next;
      outputs.push(next.h);
    }
  }
  return { outputs: tf.stack(outputs, 1), final: state }; // [B, T, H]
}

function sliceState(s: CellState, start: number, size: number): CellState {
  const cut = (t: tf.Tensor) => tf.slice(t, [0, start], [-1, size]);
  return s.c ? { h: cut(s.h), c: cut(s.c) } : { h: cut(s.h) };
}

function concatStates(a: CellState, b: CellState): CellState {
  return a.c && b.c ? { h: tf.concat([a.h, b.h], 1), c: tf.concat([a.c, b.c], 1) } : { h: tf.concat([a.h, b.h], 1) };
}
