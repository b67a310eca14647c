import { describe, expect, it } from 'vitest';
import { decodeWork, DecodingOptionsError } from '../../../engine/index.ts';

describe('decodeWork', () => {
  it('counts the rows each strategy keeps per step', () => {
    expect(decodeWork({}, 10).rows).toBe(5);
    expect(decodeWork({ strategy: 'greedy' }, 10).rows).toBe(1);
    expect(decodeWork({ strategy: 'beam', beamSize: 32 }, 10).rows).toBe(32);
    expect(decodeWork({ strategy: 'sample', nBest: 4 }, 10).rows).toBe(4);
    expect(decodeWork({ strategy: 'diverse-beam', beamSize: 8, beamGroups: 4 }, 10).rows).toBe(8);
  });

  it('bounds the steps by maxLength and by maxLengthRatio of the source', () => {
    expect(decodeWork({}, 10).maxSteps).toBe(100);
    expect(decodeWork({ maxLength: 512, minLength: 512 }, 10).maxSteps).toBe(512);
    expect(decodeWork({ maxLength: 400, maxLengthRatio: 4 }, 12).maxSteps).toBe(48);
    expect(decodeWork({ maxLength: 400, maxLengthRatio: 4 }, 300).maxSteps).toBe(400);
  });

  it("counts MMI-antiLM's language-model steps: the first gamma, at most the search's steps and its EOS", () => {
    expect(decodeWork({}, 10).lmSteps).toBe(0);
    expect(decodeWork({ mmiAntiLm: { lambda: 0.5, gamma: 5 } }, 10).lmSteps).toBe(5);
    expect(decodeWork({ maxLength: 512, mmiAntiLm: { lambda: 1, gamma: 512 } }, 10).lmSteps).toBe(512);
    expect(decodeWork({ maxLength: 20, maxLengthRatio: 1, mmiAntiLm: { lambda: 1, gamma: 20 } }, 4).lmSteps).toBe(5);
  });

  it('refuses options decode would refuse', () => {
    expect(() => decodeWork({ beamSize: 0 }, 10)).toThrow(DecodingOptionsError);
    expect(() => decodeWork({ strategy: 'greedy', nBest: 2 }, 10)).toThrow(/nBest/);
  });
});
