// The contract between decoding strategies and any model that can be decoded (tfjs, ONNX Runtime,
// or a hand-made table in tests): encode once, then step and reorder. Decoding never sees a model class.

/** Ids of the special tokens every vocabulary carries. */
export interface SpecialIds {
  pad: number;
  bos: number;
  eos: number;
  unk: number;
}

/** What one decoder step returns for a batch of `batch` rows. */
export interface StepOutput<S> {
  /** Log-probabilities over the target vocabulary, row-major: [batch, vocabSize]. */
  logProbs: Float32Array;
  /** Attention weights over source positions, row-major [batch, srcLen]; null when the model has none. */
  attention: Float32Array | null;
  /** The state after this step; the state passed in stays valid until released. */
  state: S;
}

/**
 * A decodable model. States are opaque to decoding; rows of a state are the batch rows.
 * `step` and `encode` are async so that implementations may run elsewhere (ONNX Runtime, workers).
 */
export interface StepModel<S = unknown> {
  readonly vocabSize: number;
  readonly specials: SpecialIds;
  /** Encode a batch of source id sequences (no BOS/EOS needed); returns the initial decoder state. */
  encode(sources: number[][]): Promise<S>;
  /** Source length of each row of a state (for attention shapes, coverage and length ratios). */
  sourceLengths(state: S): number[];
  /** Advance every row by one token: `prevTokens[b]` is row b's previous output (BOS at first). */
  step(prevTokens: Int32Array, state: S): Promise<StepOutput<S>>;
  /** A new state whose row i is row `indices[i]` of `state` (rows may repeat; beams, batching). */
  reorder(state: S, indices: ArrayLike<number>): S;
  /** One state holding the rows of `states` in order (requests joining a running batch). */
  concat(states: S[]): S;
  /** Free what a state holds (tensors, buffers). Using a released state is an error. */
  release(state: S): void;
  /**
   * The decoder as a language model without source context, for MMI-antiLM (Li et al. 2016):
   * an initial state for `batch` rows whose context carries no information about any source.
   * Absent when the model cannot provide one.
   */
  encodeUnconditional?(batch: number): Promise<S>;
}
