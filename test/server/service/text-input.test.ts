import { describe, expect, it } from 'vitest';
import { cleanText } from '../../../server/service/text-input.ts';

describe('cleanText', () => {
  it('normalises, strips control and bidi-override characters, and keeps newlines', () => {
    expect(cleanText('  e\u0301t\u00e9\r\nnext\u0007\u202Eline\t! ', 100)).toEqual({ ok: true, text: '\u00e9t\u00e9\nnextline\t!' });
  });
  it('refuses lone surrogates, empty text and text over the limit', () => {
    expect(cleanText('a\uDC00b', 100).ok).toBe(false);
    expect(cleanText('\u0000 \u0001', 100)).toEqual({ ok: false, reason: 'text is empty' });
    expect(cleanText('😀'.repeat(5), 5).ok).toBe(true);
    expect(cleanText('😀'.repeat(6), 5).ok).toBe(false);
  });
});
