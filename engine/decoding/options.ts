// Decoding options: one typed object with defaults, validated at the edge. Unknown keys, out-of-range
// values and options that the chosen strategy would ignore are refused with a message naming the option.
import { z } from 'zod';

export type Strategy = 'greedy' | 'beam' | 'sample' | 'diverse-beam';

/** GNMT lp(Y) = ((5+|Y|)/6)^α (Wu et al. 2016), or a per-token reward added to the log-probability. */
export type LengthPenalty =
  | { kind: 'none' }
  | { kind: 'gnmt'; alpha: number }
  | { kind: 'word-reward'; reward: number };

export interface DecodingOptions {
  strategy: Strategy;
  /** Hypotheses kept per step (beam, diverse-beam). */
  beamSize: number;
  /** Hypotheses returned (beam: at most beamSize; sample: independent samples drawn); with mmiBidi,
   *  the size of the n-best list that is reranked. */
  nBest: number;
  /** Output tokens, EOS excluded. The effective bounds also honour the ratios of the source length. */
  minLength: number;
  maxLength: number;
  minLengthRatio: number | null;
  maxLengthRatio: number | null;
  lengthPenalty: LengthPenalty;
  /** β of the GNMT coverage penalty β·Σ_i log(min(Σ_j p_ij, 1)); 0 turns it off. */
  coveragePenalty: number;
  /** No n-gram of this size twice in a hypothesis; 0 turns it off. */
  noRepeatNgram: number;
  /** No n-gram of this size copied from the source (or request context); 0 turns it off. */
  blockSourceNgrams: number;
  suppressUnk: boolean;
  /** Token sequences never produced. */
  blocklist: number[][];
  temperature: number;
  /** Sample only among the k most likely tokens; 0 turns it off. */
  topK: number;
  /** Sample only from the smallest set of tokens whose probability reaches p; 1 turns it off. */
  topP: number;
  /** PRNG seed for sampling; null draws one (and the result reports it). */
  seed: number | null;
  /** Diverse beam search (Vijayakumar et al. 2016): groups and Hamming diversity strength. */
  beamGroups: number;
  diversityStrength: number;
  /** Li et al. 2016: score log p(T|S) − λ·log U(T) over the first γ tokens. */
  mmiAntiLm: { lambda: number; gamma: number } | null;
  /** Li et al. 2016: rerank candidates by log p(T|S) + λ·log p(S|T) with a backward model. */
  mmiBidi: { lambda: number } | null;
  returnAttention: boolean;
  returnNBest: boolean;
  /** Parsing as translation: only well-formed linearised trees over exactly `words` words (tree-constraint.ts). */
  treeConstraint: TreeConstraint | null;
}

/**
 * The pieces of a linearised tree: `open[i]` and `close[i]` are the ids of "(L" and ")L" for label i,
 * `preterminals` the ids that each place one input word (the XX placeholder, or the POS tags of a
 * tagging parser), `words` how many the input has.
 */
export interface TreeConstraint {
  words: number;
  preterminals: number[];
  open: number[];
  close: number[];
}

export const MAX_LENGTH_LIMIT = 1024;
export const MAX_BEAM = 128;

export const defaultDecodingOptions: Readonly<DecodingOptions> = Object.freeze<DecodingOptions>({
  strategy: 'beam',
  beamSize: 5,
  nBest: 1,
  minLength: 1,
  maxLength: 100,
  minLengthRatio: null,
  maxLengthRatio: null,
  lengthPenalty: { kind: 'none' },
  coveragePenalty: 0,
  noRepeatNgram: 0,
  blockSourceNgrams: 0,
  suppressUnk: false,
  blocklist: [],
  temperature: 1,
  topK: 0,
  topP: 1,
  seed: null,
  beamGroups: 1,
  diversityStrength: 0.5,
  mmiAntiLm: null,
  mmiBidi: null,
  returnAttention: false,
  returnNBest: false,
  treeConstraint: null,
});

/**
 * Bounds of the numeric options. The engine's own are what it can run; an edge that takes options from
 * strangers (the server) builds its request schema from the same fields under tighter ones.
 */
export interface DecodingLimits {
  /** beamSize, nBest and beamGroups. */
  maxBeam: number;
  /** minLength, maxLength and mmiAntiLm.gamma. */
  maxLength: number;
  /** minLengthRatio and maxLengthRatio. */
  maxLengthRatio: number;
  /** noRepeatNgram and blockSourceNgrams. */
  maxNgram: number;
  maxTopK: number;
  /** Sequences in the blocklist, and tokens in one of them. */
  maxBlocked: number;
  maxBlockedTokens: number;
  /** The largest token id a blocklist may name; unset, only the vocabulary bounds it (checkOptionsAgainstVocab). */
  maxTokenId?: number;
}

export const engineDecodingLimits: Readonly<DecodingLimits> = Object.freeze({
  maxBeam: MAX_BEAM,
  maxLength: MAX_LENGTH_LIMIT,
  maxLengthRatio: 100,
  maxNgram: 64,
  maxTopK: 1_000_000,
  maxBlocked: 10_000,
  maxBlockedTokens: 64,
});

const tokenId = z.int().min(0);

/**
 * The zod field of every option, one per key, under `limits`: the single declaration of each option's
 * type and range. One bound per check, so a value out of range gets one message naming that bound.
 */
export function decodingOptionFields(limits: Readonly<DecodingLimits>) {
  const { maxBeam, maxLength, maxLengthRatio, maxNgram } = limits;
  const blockedId = limits.maxTokenId === undefined ? tokenId : tokenId.max(limits.maxTokenId);
  return {
    strategy: z.enum(['greedy', 'beam', 'sample', 'diverse-beam']),
    beamSize: z.int().min(1).max(maxBeam),
    nBest: z.int().min(1).max(maxBeam),
    minLength: z.int().min(0).max(maxLength),
    maxLength: z.int().min(1).max(maxLength),
    minLengthRatio: z.number().min(0).max(maxLengthRatio).nullable(),
    maxLengthRatio: z.number().gt(0).max(maxLengthRatio).nullable(),
    lengthPenalty: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('none') }),
      z.strictObject({ kind: z.literal('gnmt'), alpha: z.number().min(0).max(10) }),
      z.strictObject({ kind: z.literal('word-reward'), reward: z.number().min(-100).max(100) }),
    ]),
    coveragePenalty: z.number().min(0).max(100),
    noRepeatNgram: z.int().min(0).max(maxNgram),
    blockSourceNgrams: z.int().min(0).max(maxNgram),
    suppressUnk: z.boolean(),
    blocklist: z.array(z.array(blockedId).min(1).max(limits.maxBlockedTokens)).max(limits.maxBlocked),
    temperature: z.number().gt(0).max(100),
    topK: z.int().min(0).max(limits.maxTopK),
    topP: z.number().gt(0).max(1),
    seed: z.int().min(0).max(0xffffffff).nullable(),
    beamGroups: z.int().min(1).max(maxBeam),
    diversityStrength: z.number().min(0).max(100),
    mmiAntiLm: z.strictObject({ lambda: z.number().min(0).max(10), gamma: z.int().min(1).max(maxLength) }).nullable(),
    mmiBidi: z.strictObject({ lambda: z.number().min(0).max(10) }).nullable(),
    returnAttention: z.boolean(),
    returnNBest: z.boolean(),
    // Set by the parse pipeline from its own vocabulary, not by a user: its bounds stay the engine's.
    treeConstraint: z.strictObject({
      words: z.int().min(0).max(MAX_LENGTH_LIMIT),
      preterminals: z.array(tokenId).min(1).max(10_000),
      open: z.array(tokenId).max(10_000),
      close: z.array(tokenId).max(10_000),
    }).refine((t) => t.open.length === t.close.length, { message: 'open and close need one id per label each', path: ['close'] }).nullable(),
  };
}

const schema = z.strictObject(decodingOptionFields(engineDecodingLimits)).partial();

export type DecodingOptionsInput = z.input<typeof schema>;

/** Raised for invalid options; `option` names the offending option (a dotted path). */
export class DecodingOptionsError extends Error {
  readonly option: string;
  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = 'DecodingOptionsError';
    this.option = option;
  }
}

const onlyFor: Record<string, Strategy[]> = {
  beamSize: ['beam', 'diverse-beam'],
  temperature: ['sample'],
  topK: ['sample'],
  topP: ['sample'],
  seed: ['sample'],
  beamGroups: ['diverse-beam'],
  diversityStrength: ['diverse-beam'],
};

/**
 * A model's own decoding defaults (its config.json `decoding`, e.g. the length penalty chosen on the
 * validation split) under a request's options. The request wins key by key; when it picks another
 * strategy, the defaults that only that other strategy uses (beamSize, temperature…) are dropped rather
 * than refused, so a default of beam 5 does not break a request for greedy decoding, nor a default of
 * 10 samples one for beam search.
 */
export function withDecodingDefaults(defaults: Readonly<Record<string, unknown>>, request: unknown): Record<string, unknown> {
  if (request !== undefined && request !== null && (typeof request !== 'object' || Array.isArray(request))) {
    throw new DecodingOptionsError('(options)', 'expected an object');
  }
  const given = (request ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...defaults, ...given };
  const strategy = (merged.strategy ?? defaultDecodingOptions.strategy) as Strategy;
  for (const [key, strategies] of Object.entries(onlyFor)) {
    if (key in defaults && !(key in given) && !strategies.includes(strategy)) delete merged[key];
  }
  if (merged.strategy === 'greedy' && !('nBest' in given)) delete merged.nBest;
  // A default nBest wider than the beam the request ends up with (a sampling default of 10 samples
  // under a request for beam 5) is dropped too: the request did not ask for it.
  const beams = (merged.beamSize ?? defaultDecodingOptions.beamSize) as number;
  if ((strategy === 'beam' || strategy === 'diverse-beam') && !('nBest' in given) && typeof merged.nBest === 'number' && merged.nBest > beams) delete merged.nBest;
  return merged;
}

/** Validate untrusted options (e.g. from a request) and fill in the defaults. */
export function parseDecodingOptions(input: unknown = {}): DecodingOptions {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
      throw new DecodingOptionsError(prefix + issue.keys.join(', '), 'unknown option');
    }
    throw new DecodingOptionsError(issue.path.join('.') || '(options)', issue.message);
  }
  const given = parsed.data;
  const options = { ...defaultDecodingOptions, ...stripUndefined(given) } as DecodingOptions;
  for (const [key, strategies] of Object.entries(onlyFor)) {
    if (key in given && !strategies.includes(options.strategy)) {
      throw new DecodingOptionsError(key, `only used by strategy ${strategies.map((s) => `'${s}'`).join(' or ')}, not '${options.strategy}'`);
    }
  }
  if (!('returnNBest' in given)) options.returnNBest = options.nBest > 1 && !options.mmiBidi;
  checkCombinations(options);
  return options;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkCombinations(o: DecodingOptions): void {
  if (o.minLength > o.maxLength) throw new DecodingOptionsError('minLength', `${o.minLength} exceeds maxLength ${o.maxLength}`);
  if (o.strategy === 'greedy' && o.nBest !== 1) throw new DecodingOptionsError('nBest', "greedy decoding yields one hypothesis; use 'beam' or 'sample'");
  if ((o.strategy === 'beam' || o.strategy === 'diverse-beam') && o.nBest > o.beamSize) {
    throw new DecodingOptionsError('nBest', `${o.nBest} exceeds beamSize ${o.beamSize}`);
  }
  if (o.nBest > 1 && !o.returnNBest && !o.mmiBidi) throw new DecodingOptionsError('returnNBest', `false, but nBest is ${o.nBest}`);
  if (o.strategy === 'diverse-beam') {
    if (o.beamGroups < 2) throw new DecodingOptionsError('beamGroups', "'diverse-beam' needs at least 2 groups");
    if (o.beamSize % o.beamGroups !== 0) throw new DecodingOptionsError('beamSize', `${o.beamSize} is not a multiple of beamGroups ${o.beamGroups}`);
  }
  if (o.mmiBidi && o.strategy === 'greedy') throw new DecodingOptionsError('mmiBidi', 'reranking needs candidates: use beam or sample');
  if (o.mmiAntiLm && o.mmiAntiLm.gamma > o.maxLength + 1) {
    throw new DecodingOptionsError('mmiAntiLm.gamma', `${o.mmiAntiLm.gamma} exceeds maxLength + 1`);
  }
}

/** Checks that need the model: token ids within the vocabulary, top-k no larger than it. */
export function checkOptionsAgainstVocab(o: DecodingOptions, vocabSize: number): void {
  if (o.topK > vocabSize) throw new DecodingOptionsError('topK', `${o.topK} exceeds the vocabulary size ${vocabSize}`);
  o.blocklist.forEach((seq, i) => {
    if (seq.some((t) => t >= vocabSize)) throw new DecodingOptionsError(`blocklist.${i}`, `token id outside the vocabulary (size ${vocabSize})`);
  });
  const tree = o.treeConstraint;
  if (tree && [...tree.preterminals, ...tree.open, ...tree.close].some((t) => t >= vocabSize)) {
    throw new DecodingOptionsError('treeConstraint', `token id outside the vocabulary (size ${vocabSize})`);
  }
}
