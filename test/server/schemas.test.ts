// The request schema is the engine's option fields under tighter limits: what the server accepts the
// engine's own schema accepts too, each limit refuses one step past it with the message clients saw
// before the schemas were merged, and the OpenAPI document lists the same fields.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodingOptionFields, engineDecodingLimits, parseDecodingOptions } from '../../engine/index.ts';
import { openApiDocument } from '../../server/openapi.ts';
import { check, decodingOptionsSchema, requestDecodingLimits } from '../../server/schemas.ts';

const engineSchema = z.strictObject(decodingOptionFields(engineDecodingLimits)).partial();
const refusal = (options: unknown) => {
  const r = check(decodingOptionsSchema, options);
  return r.ok ? 'accepted' : r.reason;
};

describe('the request schema of decoding options', () => {
  it('has the engine fields but treeConstraint, plus the server-side retrieved, in the engine order', () => {
    const engineKeys = Object.keys(decodingOptionFields(engineDecodingLimits)).filter((k) => k !== 'treeConstraint');
    const keys = Object.keys(decodingOptionsSchema.shape);
    expect(keys.filter((k) => k !== 'retrieved')).toEqual(engineKeys);
    expect(keys).toContain('retrieved');
  });

  it('refuses treeConstraint, which only the parse pipeline sets, and unknown keys', () => {
    expect(refusal({ treeConstraint: null })).toBe('Unrecognized key: "treeConstraint"');
    expect(refusal({ beam: 5 })).toBe('Unrecognized key: "beam"');
  });

  it('is no looser than the engine on any limit', () => {
    for (const [key, limit] of Object.entries(requestDecodingLimits)) {
      expect(limit, key).toBeLessThanOrEqual((engineDecodingLimits as Record<string, number | undefined>)[key] ?? Infinity);
    }
  });

  // Each bound at its limit is accepted by both schemas and one past it refused by the server alone.
  it.each([
    ['beamSize', { beamSize: 32 }, { beamSize: 33 }, 'beamSize: Too big: expected number to be <=32'],
    ['nBest', { nBest: 32 }, { nBest: 33 }, 'nBest: Too big: expected number to be <=32'],
    ['beamGroups', { beamGroups: 32 }, { beamGroups: 33 }, 'beamGroups: Too big: expected number to be <=32'],
    ['maxLength', { maxLength: 512 }, { maxLength: 513 }, 'maxLength: Too big: expected number to be <=512'],
    ['minLength', { minLength: 512 }, { minLength: 513 }, 'minLength: Too big: expected number to be <=512'],
    ['maxLengthRatio', { maxLengthRatio: 10 }, { maxLengthRatio: 10.5 }, 'maxLengthRatio: Too big: expected number to be <=10'],
    ['noRepeatNgram', { noRepeatNgram: 16 }, { noRepeatNgram: 17 }, 'noRepeatNgram: Too big: expected number to be <=16'],
    ['blockSourceNgrams', { blockSourceNgrams: 16 }, { blockSourceNgrams: 17 }, 'blockSourceNgrams: Too big: expected number to be <=16'],
    ['topK', { topK: 100_000 }, { topK: 100_001 }, 'topK: Too big: expected number to be <=100000'],
    ['mmiAntiLm.gamma', { mmiAntiLm: { lambda: 1, gamma: 512 } }, { mmiAntiLm: { lambda: 1, gamma: 513 } }, 'mmiAntiLm.gamma: Too big: expected number to be <=512'],
    ['blocked sequences', { blocklist: Array(64).fill([1]) }, { blocklist: Array(65).fill([1]) }, 'blocklist: Too big: expected array to have <=64 items'],
    ['blocked tokens', { blocklist: [Array(16).fill(1)] }, { blocklist: [Array(17).fill(1)] }, 'blocklist.0: Too big: expected array to have <=16 items'],
    ['blocked token id', { blocklist: [[1_000_000]] }, { blocklist: [[1_000_001]] }, 'blocklist.0.0: Too big: expected number to be <=1000000'],
  ])('%s: the limit passes, one past it is refused by the server only', (_, atLimit, past, message) => {
    expect(refusal(atLimit)).toBe('accepted');
    expect(engineSchema.safeParse(atLimit).success).toBe(true);
    expect(refusal(past)).toBe(message);
    expect(engineSchema.safeParse(past).success).toBe(true);
  });

  it('keeps the bounds it shares with the engine', () => {
    expect(refusal({ temperature: 0 })).toBe('temperature: Too small: expected number to be >0');
    expect(refusal({ topP: 1.01 })).toBe('topP: Too big: expected number to be <=1');
    expect(refusal({ lengthPenalty: { kind: 'gnmt', alpha: 11 } })).toBe('lengthPenalty.alpha: Too big: expected number to be <=10');
    expect(refusal({ retrieved: 33 })).toBe('retrieved: Too big: expected number to be <=32');
    expect(() => parseDecodingOptions({ strategy: 'sample', temperature: 0 })).toThrow('temperature: Too small: expected number to be >0');
  });

  it('is what the OpenAPI document lists, limits included', () => {
    const doc = openApiDocument('test') as { components: { schemas: { DecodingOptions: { properties: Record<string, { maximum?: number }> } } } };
    const listed = doc.components.schemas.DecodingOptions.properties;
    expect(Object.keys(listed)).toEqual(Object.keys(decodingOptionsSchema.shape));
    expect(listed.beamSize!.maximum).toBe(requestDecodingLimits.maxBeam);
    expect(listed.maxLength!.maximum).toBe(requestDecodingLimits.maxLength);
  });
});
