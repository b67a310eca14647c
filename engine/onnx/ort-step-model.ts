// The StepModel contract (decoding/step-model.ts) on ONNX Runtime: the encoder graph once per batch,
// the decoder-step graph once per step. State is plain Float32Arrays; reorder and concat gather rows in
// JS. Encoder memory is shared by reference and gathered only when the rows' sources change.
import * as ort from 'onnxruntime-node';
import type { SpecialIds, StepModel, StepOutput } from '../decoding/step-model.ts';
import { MASKED } from '../layers/attention.ts';
import { prepareSources, unreverseColumns } from '../models/source.ts';
import type { OnnxGraphs, OnnxModelSpec } from './export-graphs.ts';

export interface OrtSessionOptions {
  /** Intra-op threads of the encoder and decoder sessions (each session has its own pool). */
  encoderThreads: number;
  decoderThreads: number;
}

export const defaultOrtSessionOptions: OrtSessionOptions = { encoderThreads: 1, decoderThreads: 1 };

/** Encoder output for `batch` rows: each tensor row-major with its row width (S·D for keys). */
class Memory {
  private refs = 1;
  private readonly cache = new Map<string, Record<string, ort.Tensor>>();

  constructor(
    readonly batch: number,
    readonly srcLen: number,
    readonly lengths: number[],
    /** keys [B, S, D], proj [B, S, P], mask [B, S], global [B, G]: only those the model has. */
    readonly arrays: Record<string, Float32Array>,
    readonly widths: Record<string, number>,
  ) {}

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs === 0) this.cache.clear();
  }

  /** The memory tensors for rows `origin` (indices into this memory), cached per row pattern. */
  feeds(origin: Int32Array): Record<string, ort.Tensor> {
    const key = origin.join(',');
    let feeds = this.cache.get(key);
    if (feeds) return feeds;
    const identity = origin.length === this.batch && origin.every((o, i) => o === i);
    feeds = {};
    for (const [name, data] of Object.entries(this.arrays)) {
      const rows = identity ? data : gatherRows(data, this.widths[name]!, origin);
      const dims = name === 'global' ? [origin.length, this.widths[name]!] : name === 'mask' ? [origin.length, this.srcLen] : [origin.length, this.srcLen, this.widths[name]! / this.srcLen];
      feeds[name] = new ort.Tensor('float32', rows, dims);
    }
    if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, feeds);
    return feeds;
  }
}

export interface OrtState {
  memory: Memory;
  /** Row i of this state reads row origin[i] of the memory. */
  origin: Int32Array;
  /** Decoder state tensors by spec.stateNames: [B, hidden] each. */
  cells: Float32Array[];
  released: boolean;
}

function gatherRows(data: Float32Array, width: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) out.set(data.subarray(rows[i]! * width, (rows[i]! + 1) * width), i * width);
  return out;
}

export class OrtStepModel implements StepModel<OrtState> {
  readonly vocabSize: number;

  private constructor(
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
    readonly spec: OnnxModelSpec,
    readonly specials: SpecialIds,
  ) {
    this.vocabSize = spec.vocabSize;
  }

  static async create(graphs: OnnxGraphs, specials: SpecialIds, options: Partial<OrtSessionOptions> = {}): Promise<OrtStepModel> {
    const o = { ...defaultOrtSessionOptions, ...options };
    const session = (bytes: Uint8Array, threads: number) =>
      ort.InferenceSession.create(bytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // Spinning pools of two sessions fight over the same cores; blocking threads do not.
        extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
      });
    // If one session fails, the other is released before the error goes on (training creates these at every validation).
    const [encoder, decoder] = await Promise.allSettled([session(graphs.encoder, o.encoderThreads), session(graphs.decoder, o.decoderThreads)]);
    if (encoder.status === 'rejected' || decoder.status === 'rejected') {
      await Promise.all([encoder, decoder].map((r) => (r.status === 'fulfilled' ? r.value.release() : undefined)));
      throw encoder.status === 'rejected' ? encoder.reason : (decoder as PromiseRejectedResult).reason;
    }
    return new OrtStepModel(encoder.value, decoder.value, graphs.spec, specials);
  }

  private widths(srcLen: number): Record<string, number> {
    const s = this.spec;
    return { keys: srcLen * s.keyWidth, proj: srcLen * s.projWidth, mask: srcLen, global: s.globalWidth };
  }

  private newState(memory: Memory, cells: Float32Array[]): OrtState {
    return { memory, origin: Int32Array.from({ length: memory.batch }, (_, i) => i), cells, released: false };
  }

  async encode(sources: number[][]): Promise<OrtState> {
    const B = sources.length;
    const p = prepareSources(sources, this.specials, this.spec.reverseSource);
    const S = p.maxLength;
    const out = await this.encoder.run({
      src: new ort.Tensor('int32', p.ids, [B, S]),
      lengths: new ort.Tensor('int32', Int32Array.from(p.lengths), [B]),
    });
    const arrays: Record<string, Float32Array> = {};
    for (const name of ['keys', 'proj', 'global']) if (out[name]) arrays[name] = out[name].data as Float32Array;
    if (this.spec.keyWidth) arrays.mask = maskArray(p.lengths, S);
    const cells = this.spec.stateNames.map((n) => (this.spec.encodedStates.includes(n) ? (out[n]!.data as Float32Array) : new Float32Array(B * this.spec.hidden)));
    return this.newState(new Memory(B, S, p.lengths, arrays, this.widths(S)), cells);
  }

  async encodeUnconditional(batch: number): Promise<OrtState> {
    const s = this.spec;
    const arrays: Record<string, Float32Array> = {};
    if (s.keyWidth) {
      arrays.keys = new Float32Array(batch * s.keyWidth);
      if (s.projWidth) arrays.proj = new Float32Array(batch * s.projWidth);
      arrays.mask = new Float32Array(batch);
    }
    if (s.globalWidth) arrays.global = new Float32Array(batch * s.globalWidth);
    const cells = s.unconditional.map((row) => {
      const a = new Float32Array(batch * row.length);
      for (let b = 0; b < batch; b++) a.set(row, b * row.length);
      return a;
    });
    return this.newState(new Memory(batch, 1, new Array<number>(batch).fill(1), arrays, this.widths(1)), cells);
  }

  sourceLengths(state: OrtState): number[] {
    return Array.from(state.origin, (o) => state.memory.lengths[o]!);
  }

  async step(prevTokens: Int32Array, state: OrtState): Promise<StepOutput<OrtState>> {
    check(state);
    const B = state.origin.length;
    const H = this.spec.hidden;
    const feeds: Record<string, ort.Tensor> = { ...state.memory.feeds(state.origin), tokens: new ort.Tensor('int32', Int32Array.from(prevTokens), [B]) };
    this.spec.stateNames.forEach((n, k) => (feeds[n] = new ort.Tensor('float32', state.cells[k]!, [B, H])));
    const out = await this.decoder.run(feeds);
    let attention: Float32Array | null = null;
    if (out.weights) {
      attention = out.weights.data as Float32Array;
      if (this.spec.reverseSource) unreverseColumns(attention, this.sourceLengths(state));
    }
    const cells = this.spec.stateNames.map((n) => out[`${n}_out`]!.data as Float32Array);
    return {
      logProbs: out.logprobs!.data as Float32Array,
      attention,
      state: { memory: state.memory.retain(), origin: state.origin, cells, released: false },
    };
  }

  reorder(state: OrtState, indices: ArrayLike<number>): OrtState {
    check(state);
    const H = this.spec.hidden;
    const origin = Int32Array.from(indices, (i) => state.origin[i]!);
    return { memory: state.memory.retain(), origin, cells: state.cells.map((c) => gatherRows(c, H, indices)), released: false };
  }

  concat(states: OrtState[]): OrtState {
    states.forEach(check);
    if (states.length === 1) return this.reorder(states[0]!, Array.from(states[0]!.origin, (_, i) => i));
    const S = Math.max(...states.map((s) => s.memory.srcLen));
    const B = states.reduce((n, s) => n + s.origin.length, 0);
    const widths = this.widths(S);
    const arrays: Record<string, Float32Array> = {};
    for (const name of Object.keys(states[0]!.memory.arrays)) {
      const out = new Float32Array(B * widths[name]!);
      if (name === 'mask') out.fill(MASKED);
      let row = 0;
      for (const s of states) {
        const m = s.memory;
        for (const o of s.origin) {
          // A source position's values are contiguous; positions past this source stay padding.
          out.set(m.arrays[name]!.subarray(o * m.widths[name]!, (o + 1) * m.widths[name]!), row * widths[name]!);
          row++;
        }
      }
      arrays[name] = out;
    }
    const lengths = states.flatMap((s) => this.sourceLengths(s));
    const cells = this.spec.stateNames.map((_, k) => {
      const out = new Float32Array(B * this.spec.hidden);
      let offset = 0;
      for (const s of states) {
        out.set(s.cells[k]!, offset);
        offset += s.cells[k]!.length;
      }
      return out;
    });
    return this.newState(new Memory(B, S, lengths, arrays, widths), cells);
  }

  release(state: OrtState): void {
    check(state);
    state.released = true;
    state.memory.release();
  }

  async dispose(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}

function maskArray(lengths: number[], srcLen: number): Float32Array {
  const m = new Float32Array(lengths.length * srcLen);
  lengths.forEach((len, b) => m.fill(MASKED, b * srcLen + len, (b + 1) * srcLen));
  return m;
}

function check(state: OrtState): void {
  if (state.released) throw new Error('decoder state used after release');
}
