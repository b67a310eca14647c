import { describe, expect, it } from 'vitest';
import { validationLine } from '../../cli/validation-line.ts';

describe('validationLine', () => {
  it("prints a tagging parser's F1, exact match, tagging accuracy and repair rate ×100", () => {
    const m = { perplexity: 1.5, examples: 438, decoded: 200, f1: 14 / 15, precision: 1, recall: 7 / 8, exactMatch: 0.5, tagAccuracy: 0.8, repairRate: 0, words5to18: { sentences: 1, f1: 8 / 9 } };
    expect(validationLine(400, m)).toBe('validation at step 400 (200 decoded of 438 scored): perplexity 1.50, exact match 50.00%, F1 93.33 (P 100.00, R 87.50), tags 80.00%, repaired 0.00%');
  });

  it('leaves out tagging accuracy for a parser that writes XX', () => {
    expect(validationLine(1, { perplexity: 2, examples: 2, decoded: 2, f1: 0.5, precision: 0.5, recall: 0.5, exactMatch: 0, repairRate: 0.5 })).not.toMatch(/tags/);
  });
});
