// A hand-made StepModel for decoding tests: the next-token log-probabilities are a function of
// (source, prefix), rows are independent, and every state is tracked so leaks and double releases fail.
import type { SpecialIds, StepModel, StepOutput } from '../../../../engine/decoding/step-model.ts';
import { Random } from '../../../../engine/random.ts';

export const SPECIALS: SpecialIds = { pad: 0, bos: 1, eos: 2, unk: 3 };

interface Row {
  /** null for an unconditional (language-model) row. */
  source: number[] | null;
  prefix: number[];
  started: boolean;
}

export interface TableState {
  readonly id: number;
  readonly rows: Row[];
}

export interface TableModelSpec {
  vocabSize: number;
  /** log p(· | prefix, source) over the vocabulary; source null means "as a language model". */
  next(source: number[] | null, prefix: number[]): ArrayLike<number>;
  /** Attention over the source for the step that predicts the token after `prefix`. */
  attention?(source: number[], prefix: number[]): number[];
  unconditional?: boolean;
  /** Wait this long in every step, on setTimeout: tests of time limits run it under vitest fake timers. */
  delayMs?: number;
  /** Throw from this step call on (1-based), to test failure paths. */
  failAtStep?: number;
}

export class TableModel implements StepModel<TableState> {
  readonly specials = SPECIALS;
  readonly vocabSize: number;
  readonly live = new Set<number>();
  steps = 0;
  stepRows: number[] = [];
  private nextId = 1;
  encodeUnconditional?: (batch: number) => Promise<TableState>;

  constructor(private readonly spec: TableModelSpec) {
    this.vocabSize = spec.vocabSize;
    if (spec.unconditional) {
      this.encodeUnconditional = async (batch) => this.make(Array.from({ length: batch }, () => ({ source: null, prefix: [], started: false })));
    }
  }

  private make(rows: Row[]): TableState {
    const state = { id: this.nextId++, rows };
    this.live.add(state.id);
    return state;
  }

  private use(state: TableState): void {
    if (!this.live.has(state.id)) throw new Error(`state ${state.id} used after release`);
  }

  async encode(sources: number[][]): Promise<TableState> {
    return this.make(sources.map((s) => ({ source: [...s], prefix: [], started: false })));
  }

  sourceLengths(state: TableState): number[] {
    this.use(state);
    return state.rows.map((r) => r.source?.length ?? 0);
  }

  async step(prevTokens: Int32Array, state: TableState): Promise<StepOutput<TableState>> {
    this.use(state);
    if (prevTokens.length !== state.rows.length) throw new Error(`step: ${prevTokens.length} tokens for ${state.rows.length} rows`);
    if (this.spec.delayMs) await new Promise((r) => setTimeout(r, this.spec.delayMs));
    this.use(state);
    if (this.spec.failAtStep !== undefined && this.steps + 1 >= this.spec.failAtStep) throw new Error('step failed');
    this.steps++;
    this.stepRows.push(state.rows.length);
    const V = this.vocabSize;
    const rows = state.rows.map((r, b) => {
      const prev = prevTokens[b]!;
      if (!r.started && prev !== SPECIALS.bos) throw new Error('first step must feed BOS');
      return { source: r.source, prefix: r.started ? [...r.prefix, prev] : [], started: true };
    });
    const logProbs = new Float32Array(rows.length * V);
    rows.forEach((r, b) => logProbs.set(Array.from(this.spec.next(r.source, r.prefix)), b * V));
    let attention: Float32Array | null = null;
    if (this.spec.attention) {
      const width = Math.max(1, ...rows.map((r) => r.source?.length ?? 0));
      attention = new Float32Array(rows.length * width);
      rows.forEach((r, b) => r.source && attention!.set(this.spec.attention!(r.source, r.prefix), b * width));
    }
    return { logProbs, attention, state: this.make(rows) };
  }

  reorder(state: TableState, indices: ArrayLike<number>): TableState {
    this.use(state);
    return this.make(Array.from(indices, (i) => ({ ...state.rows[i]!, prefix: [...state.rows[i]!.prefix] })));
  }

  concat(states: TableState[]): TableState {
    states.forEach((s) => this.use(s));
    return this.make(states.flatMap((s) => s.rows.map((r) => ({ ...r, prefix: [...r.prefix] }))));
  }

  release(state: TableState): void {
    if (!this.live.delete(state.id)) throw new Error(`state ${state.id} released twice or never made`);
  }
}

/** Log of normalised weights. */
export function logNormalise(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.log(w / total));
}

/**
 * A deterministic random distribution per (source, prefix): peaked enough that search matters,
 * with pad and bos given no mass.
 */
export function randomNext(vocabSize: number, seed: number, sharpness = 2): (source: number[] | null, prefix: number[]) => number[] {
  return (source, prefix) => {
    let h = seed >>> 0;
    for (const t of [...(source ?? [999]), 777, ...prefix]) h = Math.imul(h ^ (t + 0x9e3779b9), 0x85ebca6b) >>> 0;
    const rng = new Random(h);
    const w = Array.from({ length: vocabSize }, (_, v) => (v === SPECIALS.pad || v === SPECIALS.bos ? 0 : Math.exp(sharpness * rng.next() * 3)));
    return logNormalise(w);
  };
}
