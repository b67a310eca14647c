// The batch core: one decoder state whose rows belong to several searches, stepped together. Requests
// join with StepModel.concat and leave by reorder; an optional second lane runs the unconditional LM
// for MMI-antiLM. Every state the runner creates or receives is released exactly once.
import type { Search, StepView } from './search.ts';
import type { StepModel, StepOutput } from './step-model.ts';

export interface RunnerEntry {
  search: Search;
  /** Set by the owner to drop the entry's rows at the next step. */
  cancelled: boolean;
  /** Why the entry was cancelled; the runner sets it when the entry's own search throws. */
  failure: Error | null;
}

interface Lane<S> {
  state: S | null;
  /** Entries with rows in this lane, in row order, and how many rows each holds. */
  members: { entry: RunnerEntry; rows: number }[];
}

export class BatchRunner<S> {
  private readonly main: Lane<S> = { state: null, members: [] };
  private readonly lm: Lane<S> = { state: null, members: [] };

  constructor(private readonly model: StepModel<S>) {}

  get entries(): RunnerEntry[] {
    return this.main.members.map((m) => m.entry);
  }

  get rows(): number {
    return this.main.members.reduce((n, m) => n + m.rows, 0);
  }

  /** Encoded sources (one row each, in `entries` order) join the batch, expanded to their initial rows. */
  async admit(entries: RunnerEntry[], encoded: S): Promise<void> {
    await this.join(this.main, entries, encoded);
    const lmEntries = entries.filter((e) => e.search.needsLm);
    if (lmEntries.length > 0) {
      const unconditional = await this.model.encodeUnconditional!(lmEntries.length);
      await this.join(this.lm, lmEntries, unconditional);
    }
  }

  private async join(lane: Lane<S>, entries: RunnerEntry[], fresh: S): Promise<void> {
    const indices: number[] = [];
    entries.forEach((e, i) => {
      for (let r = 0; r < e.search.initialRows; r++) indices.push(i);
    });
    let expanded = fresh;
    if (!isIdentity(indices, entries.length)) {
      expanded = this.model.reorder(fresh, indices);
      this.model.release(fresh);
    }
    if (lane.state === null) {
      lane.state = expanded;
    } else {
      const joined = this.model.concat([lane.state, expanded]);
      this.model.release(lane.state);
      this.model.release(expanded);
      lane.state = joined;
    }
    for (const e of entries) lane.members.push({ entry: e, rows: e.search.initialRows });
  }

  /** One decoder step for every entry; returns the entries whose search finished or was cancelled. */
  async step(): Promise<RunnerEntry[]> {
    const left = this.dropCancelled();
    if (this.main.state === null) return left;
    const prev = new Int32Array(this.rows);
    let offset = 0;
    for (const m of this.main.members) {
      m.entry.search.writePrevTokens(prev, offset);
      offset += m.rows;
    }
    const lmPrev = this.lm.state === null ? null : this.lmPrevTokens();
    const [out, lmOut] = await this.stepLanes(prev, lmPrev);
    this.model.release(this.main.state);
    this.main.state = out.state;
    if (lmOut) {
      this.model.release(this.lm.state!);
      this.lm.state = lmOut.state;
    }
    const lmRow0 = new Map<RunnerEntry, number>();
    let lr = 0;
    for (const m of this.lm.members) {
      lmRow0.set(m.entry, lr);
      lr += m.rows;
    }
    const batch = this.rows;
    const attStride = out.attention ? out.attention.length / batch : 0;
    const parentsOf = new Map<RunnerEntry, Int32Array>();
    const failed = new Set<RunnerEntry>();
    let row0 = 0;
    for (const m of this.main.members) {
      const view: StepView = {
        logProbs: out.logProbs,
        attention: out.attention,
        attStride,
        row0,
        lmLogProbs: lmOut ? lmOut.logProbs : null,
        lmRow0: lmRow0.get(m.entry) ?? 0,
      };
      parentsOf.set(m.entry, this.advance(m.entry, view, failed));
      row0 += m.rows;
    }
    const finished = this.main.members.filter((m) => m.entry.search.done || failed.has(m.entry)).map((m) => m.entry);
    this.regroup(this.main, (e) => parentsOf.get(e)!);
    this.regroup(this.lm, (e) => (e.search.needsLm && !failed.has(e) ? parentsOf.get(e)! : new Int32Array(0)));
    return [...left, ...finished];
  }

  /**
   * One search's step. A search that throws (an option this model cannot honour, such as coverage
   * without attention) fails its own request and leaves the batch; the other requests go on.
   */
  private advance(entry: RunnerEntry, view: StepView, failed: Set<RunnerEntry>): Int32Array {
    try {
      return entry.search.advance(view);
    } catch (error) {
      entry.failure = error instanceof Error ? error : new Error(String(error));
      entry.cancelled = true;
      failed.add(entry);
      return new Int32Array(0);
    }
  }

  /** Step both lanes; if either fails, release what the other produced before rethrowing. */
  private async stepLanes(prev: Int32Array, lmPrev: Int32Array | null): Promise<[StepOutput<S>, StepOutput<S> | null]> {
    const [main, lm] = await Promise.allSettled([
      this.model.step(prev, this.main.state!),
      lmPrev ? this.model.step(lmPrev, this.lm.state!) : Promise.resolve(null),
    ]);
    if (main.status === 'fulfilled' && lm.status === 'fulfilled') return [main.value, lm.value];
    if (main.status === 'fulfilled') this.model.release(main.value.state);
    if (lm.status === 'fulfilled' && lm.value) this.model.release(lm.value.state);
    throw main.status === 'rejected' ? main.reason : (lm as PromiseRejectedResult).reason;
  }

  private lmPrevTokens(): Int32Array {
    const prev = new Int32Array(this.lm.members.reduce((n, m) => n + m.rows, 0));
    let offset = 0;
    for (const m of this.lm.members) {
      m.entry.search.writePrevTokens(prev, offset);
      offset += m.rows;
    }
    return prev;
  }

  /** Rebuild a lane's rows: each member keeps rows row0 + parents[i]; members left with none leave. */
  private regroup(lane: Lane<S>, parentsFor: (e: RunnerEntry) => Int32Array): void {
    const indices: number[] = [];
    const members: Lane<S>['members'] = [];
    let row0 = 0;
    for (const m of lane.members) {
      const parents = parentsFor(m.entry);
      for (const p of parents) indices.push(row0 + p);
      if (parents.length > 0) members.push({ entry: m.entry, rows: parents.length });
      row0 += m.rows;
    }
    lane.members = members;
    if (lane.state === null) return;
    if (indices.length === 0) {
      this.model.release(lane.state);
      lane.state = null;
    } else if (!isIdentity(indices, row0)) {
      const next = this.model.reorder(lane.state, indices);
      this.model.release(lane.state);
      lane.state = next;
    }
  }

  private dropCancelled(): RunnerEntry[] {
    const cancelled = this.main.members.filter((m) => m.entry.cancelled).map((m) => m.entry);
    if (cancelled.length === 0) return [];
    const keep = (e: RunnerEntry, rows: number): Int32Array => (e.cancelled ? new Int32Array(0) : Int32Array.from({ length: rows }, (_, i) => i));
    const rowsOf = (lane: Lane<S>) => new Map(lane.members.map((m) => [m.entry, m.rows]));
    const mainRows = rowsOf(this.main);
    const lmRows = rowsOf(this.lm);
    this.regroup(this.main, (e) => keep(e, mainRows.get(e)!));
    this.regroup(this.lm, (e) => keep(e, lmRows.get(e)!));
    return cancelled;
  }

  /** Release every state (after an error, or when shutting down). */
  releaseAll(): void {
    for (const lane of [this.main, this.lm]) {
      if (lane.state !== null) this.model.release(lane.state);
      lane.state = null;
      lane.members = [];
    }
  }
}

function isIdentity(indices: ArrayLike<number>, rows: number): boolean {
  if (indices.length !== rows) return false;
  for (let i = 0; i < rows; i++) if (indices[i] !== i) return false;
  return true;
}
