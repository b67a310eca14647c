// What the translate page's form asks the server for: the source box split into texts, and the decoding
// controls turned into /api/translate options. No DOM here, so node tests cover it.
import type { DecodingOptionsInput } from '../server/protocol.ts';

/** Length penalty choices; "default" sends none, so the model's own default (config.json) applies. */
export const lengthPenaltyPresets = {
  default: { label: 'model default', value: undefined },
  none: { label: 'none', value: { kind: 'none' } },
  'gnmt-0.6': { label: 'GNMT α 0.6', value: { kind: 'gnmt', alpha: 0.6 } },
  'gnmt-1': { label: 'GNMT α 1.0', value: { kind: 'gnmt', alpha: 1 } },
  'gnmt-2': { label: 'GNMT α 2.0', value: { kind: 'gnmt', alpha: 2 } },
  'word-reward-0.5': { label: 'word reward 0.5', value: { kind: 'word-reward', reward: 0.5 } },
} as const satisfies Record<string, { label: string; value: DecodingOptionsInput['lengthPenalty'] | undefined }>;

export type LengthPenaltyPreset = keyof typeof lengthPenaltyPresets;

export interface TranslateControls {
  beamSize: number;
  nBest: number;
  lengthPenalty: LengthPenaltyPreset;
}

/** Most beams and hypotheses the server accepts (server/schemas.ts). */
export const maxBeam = 32;

/** One text per non-blank line, trimmed. */
export function sourceTexts(box: string): string[] {
  return box
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

function whole(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : min;
}

/**
 * Beam search with the chosen width; n-best never above the beam (the engine refuses that), and
 * attention and the n-best list always asked for, since the page shows both.
 */
export function translateOptions(controls: TranslateControls): DecodingOptionsInput {
  const beamSize = whole(controls.beamSize, 1, maxBeam);
  const options: DecodingOptionsInput = {
    strategy: 'beam',
    beamSize,
    nBest: whole(controls.nBest, 1, beamSize),
    returnNBest: true,
    returnAttention: true,
  };
  const penalty = Object.hasOwn(lengthPenaltyPresets, controls.lengthPenalty) ? lengthPenaltyPresets[controls.lengthPenalty].value : undefined;
  if (penalty) options.lengthPenalty = penalty;
  return options;
}
