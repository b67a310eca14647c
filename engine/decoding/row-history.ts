// The tokens, per-token log-probabilities, attention rows and coverage sums of the live rows of one
// search, in typed arrays that grow by doubling. Each step builds the next rows from their parents.

export interface NextRows {
  count: number;
  parents: Int32Array;
  tokens: Int32Array;
  logps: Float32Array;
}

export interface AttentionSource {
  data: Float32Array;
  offset(parent: number): number;
}

export class RowHistory {
  rows = 0;
  len = 0;
  private cap = 16;
  /** Whether any step brought attention (models without attention leave the buffer unused). */
  private attended = false;
  tokens: Int32Array;
  logps: Float32Array;
  /** [rows, cap, srcLen] when attention is kept. */
  attention: Float32Array | null;
  /** [rows, srcLen]: Σ_j p_ij over the tokens so far, when coverage is needed. */
  coverage: Float64Array | null;
  private next: { tokens: Int32Array; logps: Float32Array; attention: Float32Array | null; coverage: Float64Array | null };

  constructor(
    private readonly maxRows: number,
    readonly srcLen: number,
    private readonly keep: { attention: boolean; coverage: boolean },
  ) {
    this.tokens = new Int32Array(maxRows * this.cap);
    this.logps = new Float32Array(maxRows * this.cap);
    this.attention = keep.attention ? new Float32Array(maxRows * this.cap * srcLen) : null;
    this.coverage = keep.coverage ? new Float64Array(maxRows * srcLen) : null;
    this.next = this.allocate(this.cap);
  }

  get stride(): number {
    return this.cap;
  }

  private allocate(cap: number) {
    const { maxRows, srcLen, keep } = this;
    return {
      tokens: new Int32Array(maxRows * cap),
      logps: new Float32Array(maxRows * cap),
      attention: keep.attention ? new Float32Array(maxRows * cap * srcLen) : null,
      coverage: keep.coverage ? new Float64Array(maxRows * srcLen) : null,
    };
  }

  /**
   * Make row i of the next step a copy of row parents[i] plus tokens[i] (log-probability logps[i]).
   * `att` holds the step's attention (parent p's weights from att.offset(p)), or is null.
   */
  advance(next: NextRows, att: AttentionSource | null): void {
    const { count, parents, tokens, logps } = next;
    const len = this.len;
    if (att) this.attended = true;
    if (len + 1 > this.cap) this.grow();
    const cap = this.cap;
    const S = this.srcLen;
    const nx = this.next;
    for (let i = 0; i < count; i++) {
      const p = parents[i]!;
      nx.tokens.set(this.tokens.subarray(p * cap, p * cap + len), i * cap);
      nx.tokens[i * cap + len] = tokens[i]!;
      nx.logps.set(this.logps.subarray(p * cap, p * cap + len), i * cap);
      nx.logps[i * cap + len] = logps[i]!;
      const a = att ? att.offset(p) : -1;
      if (nx.attention && this.attention) {
        nx.attention.set(this.attention.subarray(p * cap * S, (p * cap + len) * S), i * cap * S);
        if (att) nx.attention.set(att.data.subarray(a, a + S), (i * cap + len) * S);
      }
      if (nx.coverage && this.coverage) {
        for (let s = 0; s < S; s++) nx.coverage[i * S + s] = this.coverage[p * S + s]! + (att ? att.data[a + s]! : 0);
      }
    }
    const cur = { tokens: this.tokens, logps: this.logps, attention: this.attention, coverage: this.coverage };
    this.tokens = nx.tokens;
    this.logps = nx.logps;
    this.attention = nx.attention;
    this.coverage = nx.coverage;
    this.next = cur;
    this.rows = count;
    this.len = len + 1;
  }

  private grow(): void {
    const old = this.cap;
    const cap = old * 2;
    const S = this.srcLen;
    const fresh = this.allocate(cap);
    for (let r = 0; r < this.rows; r++) {
      fresh.tokens.set(this.tokens.subarray(r * old, r * old + this.len), r * cap);
      fresh.logps.set(this.logps.subarray(r * old, r * old + this.len), r * cap);
      if (fresh.attention && this.attention) fresh.attention.set(this.attention.subarray(r * old * S, (r * old + this.len) * S), r * cap * S);
    }
    if (fresh.coverage && this.coverage) fresh.coverage.set(this.coverage);
    this.tokens = fresh.tokens;
    this.logps = fresh.logps;
    this.attention = fresh.attention;
    this.coverage = fresh.coverage;
    this.cap = cap;
    this.next = this.allocate(cap);
  }

  rowTokens(r: number): number[] {
    return Array.from(this.tokens.subarray(r * this.cap, r * this.cap + this.len));
  }

  rowLogps(r: number): number[] {
    return Array.from(this.logps.subarray(r * this.cap, r * this.cap + this.len));
  }

  rowAttention(r: number): number[][] | undefined {
    if (!this.attention || !this.attended) return undefined;
    const S = this.srcLen;
    const out: number[][] = [];
    for (let t = 0; t < this.len; t++) out.push(Array.from(this.attention.subarray((r * this.cap + t) * S, (r * this.cap + t + 1) * S)));
    return out;
  }
}
