// Tests and benchmarks only: hostile decoding options as fast-check arbitraries — every option a request
// may carry (the engine's, `retrieved`, the sampling, reranking and pool ones) with in-range, edge,
// out-of-range, non-integer, tiny, huge and mistyped values, odd strategies and length-penalty kinds,
// prototype keys, and option sets near the valid ones so that some decode. `NON_FINITE` in a value is
// written as 1e999 by optionsJson, which JSON.stringify cannot do (over socket.io it stays a string).
import fc from 'fast-check';
import { anyJson } from './hostile-text.ts';

/** A number JSON can only carry as text (1e999 parses to Infinity). */
export const NON_FINITE = '\u0000non-finite\u0000';

const protoKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const optionKeys = [
  'strategy', 'beamSize', 'nBest', 'minLength', 'maxLength', 'minLengthRatio', 'maxLengthRatio', 'lengthPenalty',
  'coveragePenalty', 'noRepeatNgram', 'blockSourceNgrams', 'suppressUnk', 'blocklist', 'temperature', 'topK', 'topP',
  'seed', 'beamGroups', 'diversityStrength', 'mmiAntiLm', 'mmiBidi', 'retrieved', 'returnAttention', 'returnNBest',
  'treeConstraint',
];

/** Numbers at and past every bound the options have, and the kinds of value that are not numbers at all. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -2, max: 40 }) },
  fc.constantFrom(0, -0, 1, 0.5, 1.5, 5e-324, 1e-300, 0.9999999, 16, 17, 32, 33, 100, 101, 512, 513, 1024, 100_000, 1e6, 1e9, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -1e308, 1e308),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3 }),
  fc.constant(NON_FINITE),
  fc.constantFrom('5', '', '1e999', 'NaN', 'Infinity', null, true, [], [5], {}, { valueOf: 5 }),
);

const strategy = fc.constantFrom('greedy', 'beam', 'sample', 'diverse-beam', 'nucleus', 'top-k', 'BEAM', 'sample ', '__proto__', '', 5, null);
const keyed = (keys: string[], value: fc.Arbitrary<unknown>) =>
  fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: 4 }).map((entries) => Object.fromEntries(entries));

const lengthPenalty = fc.oneof(
  fc.record({ kind: fc.constantFrom('none', 'gnmt', 'word-reward', 'average', 'GNMT', '', '__proto__'), alpha: hostileNumber, reward: hostileNumber }, { requiredKeys: ['kind'] }),
  keyed(['kind', 'alpha', 'reward', ...protoKeys], fc.oneof(hostileNumber, fc.constantFrom('gnmt', 'none'))),
  fc.constantFrom('gnmt', 1, null, [], [{ kind: 'gnmt', alpha: 1 }]),
);
const lambdaGamma = fc.oneof(
  fc.record({ lambda: hostileNumber, gamma: hostileNumber }, { requiredKeys: [] }),
  keyed(['lambda', 'gamma', ...protoKeys], hostileNumber),
  fc.constantFrom(null, 0.5, [], 'on'),
);
const blocklist = fc.oneof(
  fc.array(fc.array(hostileNumber, { maxLength: 4 }), { maxLength: 4 }),
  fc.integer({ min: 60, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => [i % 50])),
  fc.constantFrom([[[1]]], [1, 2], 'x', null, [[]]),
);

/** A value for `key` as a client might send it: mostly the key's own kind, sometimes anything. */
const valueFor = (key: string): fc.Arbitrary<unknown> => {
  const own: Record<string, fc.Arbitrary<unknown>> = {
    strategy, lengthPenalty, blocklist, mmiAntiLm: lambdaGamma, mmiBidi: lambdaGamma,
    suppressUnk: fc.constantFrom(true, false, 'true', 1, null), returnAttention: fc.constantFrom(true, false, 'yes', 0),
    returnNBest: fc.constantFrom(true, false, 'false', 1), treeConstraint: fc.constantFrom(null, { words: 1, word: 4, open: [5], close: [6] }, {}),
  };
  return fc.oneof({ weight: 5, arbitrary: Object.hasOwn(own, key) ? own[key]! : hostileNumber }, anyJson);
};

/** Any option set: known keys with hostile values, prototype and unknown keys. */
const anyOptions = fc
  .array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...optionKeys) }, fc.constantFrom(...protoKeys, 'beam_size', 'n_best', 'Strategy', 'k')), { maxLength: 6 })
  .chain((keys) => fc.tuple(...keys.map((k) => valueFor(k).map((v) => [k, v] as const))))
  .map((entries) => Object.fromEntries(entries));

/** Option sets near the valid ones (strategy-consistent, small lengths) with one field off now and then, so that some decode. */
const nearValid = fc
  .record({
    strategy: fc.constantFrom('greedy', 'beam', 'sample', 'diverse-beam'),
    rows: fc.constantFrom(1, 2, 3, 4, 8, 32, 33),
    maxLength: fc.constantFrom(1, 3, 6, 12, 512),
    temperature: fc.constantFrom(5e-324, 0.01, 0.8, 1, 100),
    topP: fc.constantFrom(1e-300, 0.5, 0.9, 1),
    topK: fc.constantFrom(0, 1, 5, 299, 300, 100_000),
    noRepeatNgram: fc.constantFrom(0, 1, 2, 3, 16),
    retrieved: fc.constantFrom(undefined, 0, 1, 3, 8, 32),
    mmiBidi: fc.constantFrom(undefined, { lambda: 0 }, { lambda: 0.5 }, { lambda: 10 }),
    mmiAntiLm: fc.constantFrom(undefined, { lambda: 0.5, gamma: 1 }, { lambda: 10, gamma: 3 }),
    lengthPenalty: fc.constantFrom(undefined, { kind: 'none' }, { kind: 'gnmt', alpha: 1 }, { kind: 'word-reward', reward: -100 }),
    coveragePenalty: fc.constantFrom(undefined, 0, 0.2),
    returnNBest: fc.constantFrom(undefined, true, false),
    seed: fc.constantFrom(undefined, 0, 1, 4294967295),
    extra: fc.option(fc.tuple(fc.constantFrom(...optionKeys, ...protoKeys), valueFor('beamSize')), { freq: 3 }),
  })
  .map(({ strategy, rows, extra, temperature, topP, topK, seed, ...rest }) => {
    const o: Record<string, unknown> = { strategy, ...rest };
    if (strategy === 'sample') Object.assign(o, { nBest: rows, temperature, topP, topK, seed });
    if (strategy === 'beam') Object.assign(o, { beamSize: rows, nBest: Math.max(1, rows >> 1) });
    if (strategy === 'diverse-beam') Object.assign(o, { beamSize: rows * 2, beamGroups: 2, nBest: rows });
    for (const [k, v] of Object.entries(o)) if (v === undefined) delete o[k];
    if (extra) Object.defineProperty(o, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true });
    return o;
  });

export const hostileOptions: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nearValid },
  { weight: 3, arbitrary: anyOptions },
  { weight: 1, arbitrary: fc.constantFrom(null, [], [1, 2], 'beam', 5, true, { options: {} }) },
);

/** JSON text of a value holding hostileOptions, with NON_FINITE written as 1e999. */
export function optionsJson(value: unknown): string {
  return JSON.stringify(value)!.replaceAll(JSON.stringify(NON_FINITE), '1e999');
}
