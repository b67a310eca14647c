// Tiny model configs for tests: every preset at a size that trains in seconds on the cpu backend.
import { modelConfig, type ModelConfig, type Preset } from '../../engine/config.ts';

export function tinyConfig(preset: Preset, overrides: { vocabSize?: number; hidden?: number; dropout?: number } = {}): ModelConfig {
  const h = overrides.hidden ?? 8;
  const lstm = preset === 'seq2seq-lstm';
  return modelConfig(preset, {
    vocabSize: overrides.vocabSize ?? 12,
    embedding: h,
    dropout: overrides.dropout ?? 0,
    encoder: { hidden: h, layers: lstm ? 2 : 1 },
    decoder: { hidden: preset === 'rnnsearch' ? 2 * h : h, layers: lstm ? 2 : 1 },
    attention: { kind: lstm ? 'general' : 'additive', dim: h },
    readout: { kind: preset === 'rnnsearch' || preset === 'encdec' ? 'maxout' : 'tanh', dim: h },
  });
}
