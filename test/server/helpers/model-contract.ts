// What the server relies on from any LoadedModel, as reusable checks: run them against the test model
// here and against a real engine model (tiny, trained in the test setup) when the engine is wired in.
import { expect } from 'vitest';
import type { LoadedModel } from '../../../server/service/model-backend.ts';

export interface ContractOptions {
  /** An input the model can decode for at least a few tokens. */
  input: string;
  /** Options asking for n-best 2 by beam search. */
  nBestOptions?: Record<string, unknown>;
}

const inputsFor = (model: LoadedModel, text: string): string[] => (model.task === 'chat' ? ['hello', 'hi', text] : [text]);

export async function checkGenerates(model: LoadedModel, o: ContractOptions): Promise<void> {
  const partials: string[] = [];
  const result = await model.generate({
    inputs: inputsFor(model, o.input),
    options: { returnAttention: true, ...(o.nBestOptions ?? { strategy: 'beam', beamSize: 2, nBest: 2 }) },
    signal: new AbortController().signal,
    onPartial: (p) => partials.push(p),
  });
  expect(typeof result.text).toBe('string');
  expect(Number.isFinite(result.score)).toBe(true);
  expect(result.tokens).toBeGreaterThanOrEqual(0);
  expect(result.timingMs).toBeGreaterThanOrEqual(0);
  expect(result.nBest.length).toBe(2);
  expect(result.nBest[0]!.text).toBe(result.text);
  expect(result.nBest[0]!.score).toBeGreaterThanOrEqual(result.nBest[1]!.score);
  if (result.attention) {
    expect(result.attention.length).toBe(result.tgtTokens?.length ?? result.attention.length);
    for (const row of result.attention) {
      expect(row.length).toBe(result.srcTokens?.length ?? row.length);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    }
  }
  if (model.task === 'parse') expect(typeof result.repaired).toBe('boolean');
  // Partials are whole texts so far; the page shows each in place of the last.
  if (partials.length) expect(typeof partials.at(-1)).toBe('string');
}

export async function checkHonoursAbort(model: LoadedModel, o: ContractOptions): Promise<void> {
  const controller = new AbortController();
  controller.abort();
  await expect(model.generate({ inputs: inputsFor(model, o.input), options: {}, signal: controller.signal })).rejects.toBeDefined();
}
