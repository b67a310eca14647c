// Tests and benchmarks only: fast-check arbitraries for hostile text and JSON — odd Unicode (lone
// surrogates, bidi overrides, zero-width and combining runs, NUL), huge strings, deeply nested values —
// shared by the HTTP and socket.io fuzzers and bench/hostile.ts.
import fc from 'fast-check';

/** Strings people and attackers send: any code points, lone surrogates, controls, long combining runs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\n\t\r',
    '\u0000',
    '\ud800',
    '\udfff x',
    'a\ud83d',
    '\u202e\u2066evil\u2069',
    '\u200b\u200c\u200d\ufeff',
    'e' + '\u0301'.repeat(3000),
    '👩‍👩‍👧‍👦'.repeat(50),
    '\uFFFD\uFFFE\uFFFF',
    '𝕳𝖊𝖑𝖑𝖔',
    '__proto__',
    'constructor',
    '%E0%A4%A',
    '<script>alert(1)</script>',
    "'; DROP TABLE messages; --",
  ),
  fc.integer({ min: 1000, max: 5000 }).map((n) => 'word '.repeat(n)),
  fc.integer({ min: 2000, max: 70_000 }).map((n) => 'é'.repeat(n)),
);

/** Nested arrays or objects `depth` deep, as JSON text (built as text: some depths overflow a recursive stringify). */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 50, max: 30_000 }), fc.constantFrom('array', 'object', 'options'))
  .map(([depth, kind]) => {
    if (kind === 'array') return '['.repeat(depth) + ']'.repeat(depth);
    const nested = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    return kind === 'object' ? nested : `{"text":"hi","options":{"mmiAntiLm":${nested}}}`;
  });

/** Any JSON value, hostile strings included. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.constantFrom(0, -1, 1e308, -0, 2 ** 53, 0.5),
    hostileString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('requestId', 'text', 'options', '__proto__')), tie('value'), { maxKeys: 5 }),
  ),
})).value;
