// The recurrent cell contract shared by GRU and LSTM: inputs are projected for all time steps at
// once (one large matmul), then the recurrence runs one step at a time on the hidden state.
import * as tf from '@tensorflow/tfjs-core';

export interface CellState {
  h: tf.Tensor; // [batch, hidden]
  c?: tf.Tensor; // [batch, hidden], LSTM only
}

export interface Cell {
  readonly kind: 'gru' | 'lstm';
  readonly hidden: number;
  /** Number of stacked gates: 3 for GRU, 4 for LSTM. */
  readonly gates: number;
  /** x·W_ih + b_ih for any number of rows: [rows, in] → [rows, gates*hidden]. */
  project(x: tf.Tensor): tf.Tensor;
  /** One step from projected input [batch, gates*hidden] and the previous state. */
  step(xProj: tf.Tensor, state: CellState): CellState;
  /** A zero state for `batch` rows. */
  zeroState(batch: number): CellState;
}

/**
 * Keep the old state where mask is 0 (padding): h' = h + m·(new − h).
 * mask: [batch, 1] of 0/1.
 */
export function maskState(next: CellState, prev: CellState, mask: tf.Tensor): CellState {
  const keep = (n: tf.Tensor, p: tf.Tensor) => tf.add(p, tf.mul(mask, tf.sub(n, p)));
  return next.c && prev.c ? { h: keep(next.h, prev.h), c: keep(next.c, prev.c) } : { h: keep(next.h, prev.h) };
}
