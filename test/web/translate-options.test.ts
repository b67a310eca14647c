// The translate page's form → request mapping, in node.
import { describe, expect, it } from 'vitest';
import { decodingOptionsSchema } from '../../server/schemas.ts';
import { lengthPenaltyPresets, sourceTexts, translateOptions, type LengthPenaltyPreset } from '../../web/translate-options.ts';

describe('sourceTexts', () => {
  it('makes one text per non-blank line, trimmed, whatever the line ending', () => {
    expect(sourceTexts('  Bonjour.\r\n\nJe suis là.\rMerci\u2028 \n\t\n')).toEqual(['Bonjour.', 'Je suis là.', 'Merci']);
    expect(sourceTexts(' \n \n')).toEqual([]);
  });
});

describe('translateOptions', () => {
  it('asks for beam search, n-best and attention; leaves the length penalty to the model by default', () => {
    expect(translateOptions({ beamSize: 5, nBest: 3, lengthPenalty: 'default' })).toEqual({
      strategy: 'beam',
      beamSize: 5,
      nBest: 3,
      returnNBest: true,
      returnAttention: true,
    });
  });

  it('keeps n-best within the beam and both within what the server accepts', () => {
    expect(translateOptions({ beamSize: 2, nBest: 8, lengthPenalty: 'default' })).toMatchObject({ beamSize: 2, nBest: 2 });
    expect(translateOptions({ beamSize: 400, nBest: 0, lengthPenalty: 'default' })).toMatchObject({ beamSize: 32, nBest: 1 });
    expect(translateOptions({ beamSize: Number.NaN, nBest: 2.6, lengthPenalty: 'default' })).toMatchObject({ beamSize: 1, nBest: 1 });
  });

  it('sends each length penalty preset as the server spells it, and every result passes its schema', () => {
    expect(translateOptions({ beamSize: 4, nBest: 2, lengthPenalty: 'gnmt-1' }).lengthPenalty).toEqual({ kind: 'gnmt', alpha: 1 });
    expect(translateOptions({ beamSize: 4, nBest: 2, lengthPenalty: 'none' }).lengthPenalty).toEqual({ kind: 'none' });
    for (const preset of Object.keys(lengthPenaltyPresets) as LengthPenaltyPreset[]) {
      expect(decodingOptionsSchema.safeParse(translateOptions({ beamSize: 32, nBest: 32, lengthPenalty: preset })).success).toBe(true);
    }
  });

  it('treats an unknown preset (a stale saved form) as the model default', () => {
    expect(translateOptions({ beamSize: 4, nBest: 2, lengthPenalty: 'gnmt-9' as LengthPenaltyPreset })).not.toHaveProperty('lengthPenalty');
  });
});
