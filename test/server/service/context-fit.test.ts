import { describe, expect, it } from 'vitest';
import { fitTurns } from '../../../server/service/context-fit.ts';

// One token per character, a separator token between turns.
const encode = (turns: string[]) => turns.flatMap((t, i) => [...(i > 0 ? [0] : []), ...[...t].map((c) => c.charCodeAt(0))]);

describe('fitTurns', () => {
  it('keeps every turn that fits', () => {
    expect(fitTurns(['ab', 'cd', 'ef'], encode, 8).turns).toEqual(['ab', 'cd', 'ef']);
  });

  it('drops the oldest earlier turns until the rest fits', () => {
    const long = 'x'.repeat(9);
    const fitted = fitTurns([long, 'reply', 'hi'], encode, 10);
    expect(fitted.turns).toEqual(['reply', 'hi']);
    expect(fitted.source).toHaveLength(8);
  });

  it('refuses only a new message that alone is over the limit, naming its length', () => {
    expect(() => fitTurns(['ok', 'fine', 'y'.repeat(11)], encode, 10)).toThrow(/message too long: 11 tokens .*at most 10/);
    expect(fitTurns(['y'.repeat(10)], encode, 10).turns).toHaveLength(1);
  });
});
