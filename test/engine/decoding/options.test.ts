import { describe, expect, it } from 'vitest';
import { defaultDecodingOptions, DecodingOptionsError, parseDecodingOptions, withDecodingDefaults } from '../../../engine/decoding/index.ts';
import { checkOptionsAgainstVocab } from '../../../engine/decoding/options.ts';

function refusal(input: unknown): DecodingOptionsError {
  try {
    parseDecodingOptions(input);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodingOptionsError);
    return error as DecodingOptionsError;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('decoding options', () => {
  it('fills in the defaults', () => {
    expect(parseDecodingOptions({})).toEqual(defaultDecodingOptions);
    expect(parseDecodingOptions(undefined)).toEqual(defaultDecodingOptions);
    expect(parseDecodingOptions({ strategy: 'greedy' }).strategy).toBe('greedy');
  });

  it.each([
    [{ beamSize: 0 }, 'beamSize'],
    [{ strategy: 'sample', topP: 1.5 }, 'topP'],
    [{ maxLength: 1e6 }, 'maxLength'],
    [{ strategy: 'sample', temperature: 0 }, 'temperature'],
    [{ strategy: 'viterbi' }, 'strategy'],
    [{ lengthPenalty: { kind: 'gnmt', alpha: -1 } }, 'lengthPenalty.alpha'],
    [{ lengthPenalty: { kind: 'gnmt' } }, 'lengthPenalty.alpha'],
    [{ lengthPenalty: { kind: 'average' } }, 'lengthPenalty.kind'],
    [{ mmiAntiLm: { lambda: 0.5 } }, 'mmiAntiLm.gamma'],
    [{ blocklist: [[]] }, 'blocklist.0'],
    [{ minLength: 1.5 }, 'minLength'],
    [{ nBest: '3' }, 'nBest'],
  ])('refuses out-of-range or mistyped %j, naming %s', (input, option) => {
    const error = refusal(input);
    expect(error.option).toBe(option);
    expect(error.message.startsWith(`${option}:`)).toBe(true);
  });

  it('refuses unknown options by name, also inside nested ones', () => {
    expect(refusal({ num_beams: 4 }).option).toBe('num_beams');
    expect(refusal({ mmiBidi: { lambda: 1, weight: 2 } }).option).toBe('mmiBidi.weight');
  });

  it('refuses options the chosen strategy would ignore', () => {
    expect(refusal({ strategy: 'greedy', beamSize: 4 }).option).toBe('beamSize');
    expect(refusal({ strategy: 'beam', topK: 10 }).option).toBe('topK');
    expect(refusal({ temperature: 0.7 }).option).toBe('temperature');
    expect(refusal({ strategy: 'beam', beamGroups: 2 }).option).toBe('beamGroups');
    expect(refusal({ strategy: 'greedy', nBest: 2 }).option).toBe('nBest');
    expect(refusal({ strategy: 'greedy', mmiBidi: { lambda: 1 } }).option).toBe('mmiBidi');
  });

  it('refuses inconsistent combinations', () => {
    expect(refusal({ minLength: 10, maxLength: 5 }).option).toBe('minLength');
    expect(refusal({ beamSize: 2, nBest: 3 }).option).toBe('nBest');
    expect(refusal({ nBest: 2, returnNBest: false }).option).toBe('returnNBest');
    expect(refusal({ strategy: 'diverse-beam', beamSize: 5, beamGroups: 2 }).option).toBe('beamSize');
    expect(refusal({ strategy: 'diverse-beam', beamSize: 4 }).option).toBe('beamGroups');
    expect(refusal({ maxLength: 4, mmiAntiLm: { lambda: 0.5, gamma: 9 } }).option).toBe('mmiAntiLm.gamma');
  });

  it('asks for the n-best list when more than one hypothesis is wanted', () => {
    expect(parseDecodingOptions({ nBest: 3 }).returnNBest).toBe(true);
    expect(parseDecodingOptions({ nBest: 3, mmiBidi: { lambda: 1 } }).returnNBest).toBe(false);
  });

  it('checks token ids and top-k against the vocabulary', () => {
    const o = parseDecodingOptions({ strategy: 'sample', topK: 50, blocklist: [[1, 2], [3, 40]] });
    expect(() => checkOptionsAgainstVocab(o, 100)).not.toThrow();
    expect(() => checkOptionsAgainstVocab(o, 30)).toThrow(/^topK:/);
    expect(() => checkOptionsAgainstVocab({ ...o, topK: 0 }, 30)).toThrow(/^blocklist\.1:/);
  });
});

describe("a model's decoding defaults under a request's options", () => {
  const defaults = { strategy: 'beam', beamSize: 3, nBest: 2, returnNBest: true, lengthPenalty: { kind: 'gnmt', alpha: 1 } };

  it('fill what the request leaves out; the request wins key by key', () => {
    expect(withDecodingDefaults(defaults, undefined)).toEqual(defaults);
    const merged = withDecodingDefaults(defaults, { beamSize: 6, lengthPenalty: { kind: 'none' } });
    expect(merged).toEqual({ ...defaults, beamSize: 6, lengthPenalty: { kind: 'none' } });
    expect(parseDecodingOptions(merged)).toMatchObject({ strategy: 'beam', beamSize: 6, nBest: 2 });
  });

  it("drop the defaults only another strategy uses, so greedy or sampling requests stay valid", () => {
    const greedy = withDecodingDefaults(defaults, { strategy: 'greedy' });
    expect(greedy).toEqual({ strategy: 'greedy', returnNBest: true, lengthPenalty: { kind: 'gnmt', alpha: 1 } });
    expect(parseDecodingOptions(greedy).strategy).toBe('greedy');
    const sample = withDecodingDefaults(defaults, { strategy: 'sample', temperature: 0.7 });
    expect(sample).not.toHaveProperty('beamSize');
    expect(parseDecodingOptions(sample)).toMatchObject({ strategy: 'sample', temperature: 0.7, nBest: 2 });
  });

  it("drop a default nBest wider than the request's beam (the shipped chat model's 10 samples under strategy beam)", () => {
    const sampled = { strategy: 'sample', nBest: 10, topP: 0.9, temperature: 0.8, noRepeatNgram: 3 };
    expect(parseDecodingOptions(withDecodingDefaults(sampled, { strategy: 'beam' }))).toMatchObject({ strategy: 'beam', beamSize: 5, nBest: 1, noRepeatNgram: 3 });
    expect(parseDecodingOptions(withDecodingDefaults(sampled, { strategy: 'beam', beamSize: 12 }))).toMatchObject({ beamSize: 12, nBest: 10 });
    expect(parseDecodingOptions(withDecodingDefaults(sampled, { strategy: 'diverse-beam', beamGroups: 5 }))).toMatchObject({ beamSize: 5, nBest: 1 });
    expect(parseDecodingOptions(withDecodingDefaults({ beamSize: 5, nBest: 5 }, { beamSize: 2 }))).toMatchObject({ beamSize: 2, nBest: 1 });
    // An nBest the request names is its own: still refused when wider than its beam.
    expect(() => parseDecodingOptions(withDecodingDefaults(sampled, { strategy: 'beam', nBest: 10 }))).toThrow('nBest: 10 exceeds beamSize 5');
  });

  it('still refuse what the request itself gets wrong', () => {
    expect(() => parseDecodingOptions(withDecodingDefaults(defaults, { strategy: 'greedy', beamSize: 4 }))).toThrow(/beamSize: only used by strategy/);
    expect(() => withDecodingDefaults(defaults, [1, 2])).toThrow(/expected an object/);
  });
});
