// The StepModel contract (decoding/step-model.ts) implemented on a tfjs Seq2Seq: encode once, then
// one decoder step per call. Encoder memory is shared between the states of one decode (reference
// counted), so a step copies only the small recurrent state.
import * as tf from '@tensorflow/tfjs-core';
import type { CellState } from '../cells/cell.ts';
import type { SpecialIds, StepModel, StepOutput } from '../decoding/step-model.ts';
import { MASKED } from '../layers/attention.ts';
import type { DecoderMemory } from './decoder.ts';
import type { Seq2Seq } from './seq2seq.ts';
import { prepareSources, unreverseColumns } from './source.ts';

class SharedMemory {
  private refs = 1;
  constructor(readonly memory: DecoderMemory, readonly lengths: number[]) {}

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs > 0) return;
    const m = this.memory;
    for (const t of [m.attention?.keys, m.attention?.proj, m.attention?.maskAdd, m.global]) t?.dispose();
  }
}

export interface TfjsState {
  shared: SharedMemory;
  cells: CellState[];
  released: boolean;
}

const cellTensors = (cells: CellState[]) => cells.flatMap((s) => (s.c ? [s.h, s.c] : [s.h]));

export class TfjsStepModel implements StepModel<TfjsState> {
  readonly vocabSize: number;
  readonly specials: SpecialIds;

  constructor(private readonly model: Seq2Seq) {
    this.vocabSize = model.config.vocabSize;
    this.specials = model.config.specials;
  }

  async encode(sources: number[][]): Promise<TfjsState> {
    const p = prepareSources(sources, this.specials, this.model.config.reverseSource);
    const { memory, state } = tidyKept(() => {
      const src = tf.tensor2d(p.ids, [sources.length, p.maxLength], 'int32');
      const enc = this.model.encode(src, p.lengths, null);
      keepAll(enc.memory, enc.state);
      return enc;
    });
    return { shared: new SharedMemory(memory, p.lengths), cells: state, released: false };
  }

  async encodeUnconditional(batch: number): Promise<TfjsState> {
    const { memory, state } = tidyKept(() => {
      const finals = this.model.decoder.cells.map((c) => c.zeroState(batch));
      const keyWidth = this.model.encoder.keyWidth;
      const globalWidth = this.model.encoder.globalWidth;
      const enc = {
        keys: keyWidth ? tf.zeros([batch, 1, keyWidth]) : null,
        global: globalWidth ? tf.zeros([batch, globalWidth]) : null,
        finals: this.model.config.decoder.init === 'copy' ? finals : [{ h: tf.zeros([batch, this.encoderWidth()]) }],
      };
      const attention = enc.keys && this.model.decoder.attention ? this.model.decoder.attention.prepare(enc.keys, tf.zeros([batch, 1])) : null;
      const memory: DecoderMemory = { attention, global: enc.global };
      const cells = this.model.decoder.initialState(enc, batch);
      keepAll(memory, cells);
      return { memory, state: cells };
    });
    return { shared: new SharedMemory(memory, new Array(batch).fill(1)), cells: state, released: false };
  }

  private encoderWidth(): number {
    const e = this.model.config.encoder;
    return e.hidden * (e.bidirectional ? 2 : 1);
  }

  sourceLengths(state: TfjsState): number[] {
    return state.shared.lengths;
  }

  async step(prevTokens: Int32Array, state: TfjsState): Promise<StepOutput<TfjsState>> {
    check(state);
    const { cells, logProbs, weights } = tidyKept(() => {
      const emb = this.model.tgtEmbedding.lookup(tf.tensor1d(prevTokens, 'int32')); // [B, E]
      const s = this.model.decoder.step(emb, state.cells, state.shared.memory, null);
      const logits = this.model.readout.logits(this.model.readout.hidden(s.features)); // [B, V]
      for (const t of [...cellTensors(s.state), s.weights]) if (t) tf.keep(t);
      return { cells: s.state, logProbs: tf.keep(tf.logSoftmax(logits)), weights: s.weights };
    });
    const out = (await logProbs.data()) as Float32Array;
    logProbs.dispose();
    let attention: Float32Array | null = null;
    if (weights) {
      attention = (await weights.data()) as Float32Array;
      weights.dispose();
      if (this.model.config.reverseSource) unreverseColumns(attention, state.shared.lengths);
    }
    return { logProbs: out, attention, state: { shared: state.shared.retain(), cells, released: false } };
  }

  reorder(state: TfjsState, indices: ArrayLike<number>): TfjsState {
    check(state);
    const idx = Array.from(indices);
    const lengths = idx.map((i) => state.shared.lengths[i]!);
    return tidyKept(() => {
      const at = tf.tensor1d(idx, 'int32');
      const pick = (t: tf.Tensor) => tf.keep(tf.gather(t, at));
      const m = state.shared.memory;
      const memory: DecoderMemory = {
        attention: m.attention && { keys: pick(m.attention.keys), proj: m.attention.proj && pick(m.attention.proj), maskAdd: pick(m.attention.maskAdd) },
        global: m.global && pick(m.global),
      };
      const cells = state.cells.map((s) => (s.c ? { h: pick(s.h), c: pick(s.c) } : { h: pick(s.h) }));
      return { shared: new SharedMemory(memory, lengths), cells, released: false };
    });
  }

  concat(states: TfjsState[]): TfjsState {
    states.forEach(check);
    if (states.length === 1) return this.reorder(states[0]!, states[0]!.shared.lengths.map((_, i) => i));
    return tidyKept(() => {
      const ms = states.map((s) => s.shared.memory);
      const width = Math.max(...ms.map((m) => m.attention?.keys.shape[1] ?? 0));
      // Pad source positions to the longest source; padding is masked out.
      const padTo = (t: tf.Tensor, value: number) =>
        t.shape[1] === width ? t : tf.pad(t, [[0, 0], [0, width - t.shape[1]!], ...t.shape.slice(2).map(() => [0, 0] as [number, number])], value);
      const join = (ts: tf.Tensor[]) => tf.keep(tf.concat(ts, 0));
      const a0 = ms[0]!.attention;
      const memory: DecoderMemory = {
        attention: a0 && {
          keys: join(ms.map((m) => padTo(m.attention!.keys, 0))),
          proj: a0.proj && join(ms.map((m) => padTo(m.attention!.proj!, 0))),
          maskAdd: join(ms.map((m) => padTo(m.attention!.maskAdd, MASKED))),
        },
        global: ms[0]!.global && join(ms.map((m) => m.global!)),
      };
      const cells = states[0]!.cells.map((_, l) => {
        const h = join(states.map((s) => s.cells[l]!.h));
        return states[0]!.cells[l]!.c ? { h, c: join(states.map((s) => s.cells[l]!.c!)) } : { h };
      });
      return { shared: new SharedMemory(memory, states.flatMap((s) => s.shared.lengths)), cells, released: false };
    });
  }

  release(state: TfjsState): void {
    check(state);
    state.released = true;
    tf.dispose(cellTensors(state.cells));
    state.shared.release();
  }
}

/** tf.tidy for results that are not tensor containers: everything returned must have been tf.keep'd. */
function tidyKept<T>(fn: () => T): T {
  let out: T | undefined;
  tf.tidy(() => {
    out = fn();
  });
  return out!;
}

function check(state: TfjsState): void {
  if (state.released) throw new Error('decoder state used after release');
}

function keepAll(memory: DecoderMemory, cells: CellState[]): void {
  const a = memory.attention;
  for (const t of [a?.keys, a?.proj, a?.maskAdd, memory.global, ...cellTensors(cells)]) if (t) tf.keep(t);
}
