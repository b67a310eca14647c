// A tiny model with attention and an unconditional mode, and a mix of requests that share a batch.
import type { DecodeRequest } from '../../../../engine/decoding/index.ts';
import { randomNext, TableModel } from './table-model.ts';

const V = 9;
const conditional = randomNext(V, 71, 0.8);
const lm = randomNext(V, 72, 1);

function attention(src: number[], prefix: number[]): number[] {
  const w = src.map((t, i) => 1 + ((t * 3 + i + prefix.length * 7 + (prefix.at(-1) ?? 0)) % 5));
  const z = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / z);
}

export const makeModel = () => new TableModel({ vocabSize: V, next: (s, p) => (s === null ? lm(null, p) : conditional(s, p)), attention, unconditional: true });

export const mixedRequests: DecodeRequest[] = [
  { source: [4, 5, 6], options: { strategy: 'greedy', maxLength: 7 } },
  { source: [7, 3], options: { beamSize: 3, nBest: 3, maxLength: 6, returnAttention: true } },
  { source: [8, 8, 4, 5, 6, 7], options: { strategy: 'sample', seed: 42, nBest: 2, topK: 5, temperature: 1.3, maxLength: 8 } },
  { source: [5], options: { strategy: 'diverse-beam', beamSize: 4, beamGroups: 2, nBest: 4, maxLengthRatio: 4 } },
  { source: [6, 4], options: { beamSize: 4, mmiAntiLm: { lambda: 0.4, gamma: 2 }, coveragePenalty: 0.5, lengthPenalty: { kind: 'gnmt', alpha: 0.8 } } },
  { source: [4, 4, 4, 4], options: { strategy: 'sample', seed: 7, topP: 0.8, noRepeatNgram: 2, blockSourceNgrams: 1, maxLength: 9 } },
];
