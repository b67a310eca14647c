// Model configuration: the presets (NRM, RNNsearch, RNN encoder–decoder, LSTM seq2seq), their typed
// configs with defaults, and validation that refuses unknown keys and wrong values by name.
import { z } from 'zod';

export const presets = ['nrm-global', 'nrm-local', 'nrm-hybrid', 'rnnsearch', 'encdec', 'seq2seq-lstm'] as const;
export type Preset = (typeof presets)[number];

const cellKind = z.enum(['gru', 'lstm']);
const positive = z.number().int().min(1).max(8192);
const pieceCount = z.number().int().min(8).max(1_000_000);

const encoderSchema = z.strictObject({
  cell: cellKind,
  hidden: positive,
  layers: z.number().int().min(1).max(8),
  bidirectional: z.boolean(),
  /** Peephole connections (Gers & Schmidhuber 2000); LSTM only. */
  peephole: z.boolean(),
});

const decoderSchema = z.strictObject({
  cell: cellKind,
  hidden: positive,
  layers: z.number().int().min(1).max(8),
  peephole: z.boolean(),
  /**
   * Initial decoder state: `bridge` = tanh(W · encoder final state) per layer (Bahdanau, NRM);
   * `copy` = the encoder's final states as they are (Sutskever); `zeros`.
   */
  init: z.enum(['bridge', 'copy', 'zeros']),
});

export const modelConfigSchema = z.strictObject({
  formatVersion: z.literal(1),
  preset: z.enum(presets),
  /** The target vocabulary (the softmax's), and the source's unless sourceVocabSize says otherwise. */
  vocabSize: pieceCount,
  /** A source vocabulary of its own (per-side tokenizers); absent in configs of a joint vocabulary. */
  sourceVocabSize: pieceCount.optional(),
  embedding: positive,
  /** One embedding matrix for source and target (a joint subword vocabulary). */
  shareEmbeddings: z.boolean(),
  encoder: encoderSchema,
  decoder: decoderSchema,
  /**
   * What the decoder sees of the source at each step:
   * `global` — the encoder's last state (NRM global scheme; Cho et al. 2014's fixed context);
   * `local` — attention over encoder states (NRM local scheme; Bahdanau et al. 2014);
   * `hybrid` — both, from two encoders, concatenated (NRM hybrid scheme);
   * `none` — only the initial state (Sutskever et al. 2014).
   */
  context: z.enum(['global', 'local', 'hybrid', 'none']),
  attention: z.strictObject({ kind: z.enum(['additive', 'dot', 'general']), dim: positive }),
  /** Output layer before the softmax: tanh(W[s; c; e]) or maxout of pool 2 (Goodfellow 2013). */
  readout: z.strictObject({ kind: z.enum(['tanh', 'maxout']), dim: positive }),
  /** Reverse each source sequence (Sutskever et al. 2014). */
  reverseSource: z.boolean(),
  dropout: z.number().min(0).max(0.9),
  specials: z.strictObject({
    pad: z.number().int().min(0),
    unk: z.number().int().min(0),
    bos: z.number().int().min(0),
    eos: z.number().int().min(0),
  }),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
});

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type CellKind = z.infer<typeof cellKind>;
export type EncoderConfig = z.infer<typeof encoderSchema>;
export type DecoderConfig = z.infer<typeof decoderSchema>;

/** A partial config: any field may be left out and is then taken from the preset. */
export type ModelConfigOverrides = {
  [K in keyof ModelConfig]?: ModelConfig[K] extends object ? Partial<ModelConfig[K]> : ModelConfig[K];
};

const base = {
  formatVersion: 1 as const,
  vocabSize: 8000,
  embedding: 256,
  shareEmbeddings: true,
  reverseSource: false,
  dropout: 0.1,
  specials: { pad: 0, unk: 1, bos: 2, eos: 3 },
  seed: 1,
  attention: { kind: 'additive' as const, dim: 256 },
  readout: { kind: 'tanh' as const, dim: 256 },
};

const encoder = (cell: CellKind, hidden: number, layers: number, bidirectional: boolean): EncoderConfig =>
  ({ cell, hidden, layers, bidirectional, peephole: false });
const decoder = (cell: CellKind, hidden: number, layers: number, init: DecoderConfig['init']): DecoderConfig =>
  ({ cell, hidden, layers, peephole: false, init });

const presetDefaults: Record<Preset, Omit<ModelConfig, 'preset'>> = {
  'nrm-global': { ...base, encoder: encoder('gru', 256, 1, false), decoder: decoder('gru', 256, 1, 'bridge'), context: 'global' },
  'nrm-local': { ...base, encoder: encoder('gru', 256, 1, false), decoder: decoder('gru', 256, 1, 'bridge'), context: 'local' },
  'nrm-hybrid': { ...base, encoder: encoder('gru', 256, 1, false), decoder: decoder('gru', 256, 1, 'bridge'), context: 'hybrid' },
  rnnsearch: {
    ...base,
    encoder: encoder('gru', 256, 1, true),
    decoder: decoder('gru', 512, 1, 'bridge'),
    context: 'local',
    readout: { kind: 'maxout', dim: 256 },
  },
  encdec: {
    ...base,
    encoder: encoder('gru', 512, 1, false),
    decoder: decoder('gru', 512, 1, 'bridge'),
    context: 'global',
    readout: { kind: 'maxout', dim: 256 },
  },
  'seq2seq-lstm': {
    ...base,
    encoder: encoder('lstm', 256, 2, false),
    decoder: decoder('lstm', 256, 2, 'copy'),
    context: 'local',
    attention: { kind: 'general', dim: 256 },
    reverseSource: true,
  },
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.join('.') || '(config)'}: ${i.message}${i.code === 'unrecognized_keys' ? ` (${i.keys.join(', ')})` : ''}`)
    .join('; ');
}

/** Check semantic constraints the schema alone cannot express. */
function checkConsistency(c: ModelConfig): void {
  const problems: string[] = [];
  const s = c.specials;
  const smallest = Math.min(c.vocabSize, sourceVocabSize(c));
  for (const [name, id] of Object.entries(s)) {
    if (id >= smallest) problems.push(`specials.${name}: id ${id} is outside the vocabulary of ${smallest}`);
  }
  if (c.shareEmbeddings && sourceVocabSize(c) !== c.vocabSize) {
    problems.push(`sourceVocabSize: ${sourceVocabSize(c)} source pieces against ${c.vocabSize} target pieces cannot share one embedding (shareEmbeddings must be false)`);
  }
  if (new Set(Object.values(s)).size !== 4) problems.push('specials: pad, unk, bos and eos must be distinct');
  for (const part of ['encoder', 'decoder'] as const) {
    if (c[part].peephole && c[part].cell !== 'lstm') problems.push(`${part}.peephole: needs cell "lstm"`);
  }
  if (c.decoder.init === 'copy') {
    const e = c.encoder;
    const width = e.hidden * (e.bidirectional ? 2 : 1);
    if (e.layers !== c.decoder.layers || width !== c.decoder.hidden || e.cell !== c.decoder.cell) {
      problems.push('decoder.init "copy" needs encoder and decoder of the same cell, layers and width');
    }
  }
  const keyWidth = c.encoder.hidden * (c.encoder.bidirectional ? 2 : 1);
  if ((c.context === 'local' || c.context === 'hybrid') && c.attention.kind === 'dot' && keyWidth !== c.decoder.hidden) {
    problems.push(`attention.kind "dot": decoder.hidden (${c.decoder.hidden}) must equal the encoder width (${keyWidth})`);
  }
  if (c.readout.kind === 'maxout' && c.readout.dim % 2 !== 0) problems.push('readout.dim: maxout needs an even size');
  if (problems.length) throw new ConfigError(`invalid model config: ${problems.join('; ')}`);
}

/** Validate a complete config (e.g. read from a checkpoint). */
export function validateModelConfig(value: unknown): ModelConfig {
  const parsed = modelConfigSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(`invalid model config: ${describeIssues(parsed.error)}`);
  checkConsistency(parsed.data);
  return parsed.data;
}

/** A preset's config with overrides applied (one level deep for the nested groups), validated. */
export function modelConfig(preset: Preset, overrides: ModelConfigOverrides = {}): ModelConfig {
  if (!(presets as readonly string[]).includes(preset)) {
    throw new ConfigError(`unknown preset "${String(preset)}" (known: ${presets.join(', ')})`);
  }
  const merged: Record<string, unknown> = { ...structuredClone(presetDefaults[preset]), preset };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = merged[key];
    const nested = typeof value === 'object' && value !== null && typeof current === 'object' && current !== null;
    merged[key] = nested ? { ...current, ...value } : value;
  }
  return validateModelConfig(merged);
}

/** Width of the encoder's output at each source position (both directions concatenated). */
export function encoderWidth(c: ModelConfig): number {
  return c.encoder.hidden * (c.encoder.bidirectional ? 2 : 1);
}

/** Pieces of the source vocabulary: its own with per-side tokenizers, else the joint one. */
export function sourceVocabSize(c: Pick<ModelConfig, 'vocabSize' | 'sourceVocabSize'>): number {
  return c.sourceVocabSize ?? c.vocabSize;
}

/** Units the softmax reads: the readout layer's width after maxout pooling (which halves it). */
export function readoutWidth(c: Pick<ModelConfig, 'readout'>): number {
  return c.readout.kind === 'maxout' ? c.readout.dim / 2 : c.readout.dim;
}
