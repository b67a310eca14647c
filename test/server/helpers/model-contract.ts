// What the server relies on from any LoadedModel, as reusable checks of values, not types: run against
// the test model and against shipped models loaded by the real engine factory (model-contract.test.ts).
import { expect } from 'vitest';
import { parseTree, words } from '../../../engine/index.ts';
import type { DecodingOptionsInput, GenerateResult, LoadedModel } from '../../../server/service/model-backend.ts';

export interface ContractOptions {
  /** An input the model decodes into a non-empty output; for parse, words separated by spaces. */
  input: string;
}

/** The most output tokens the checks allow; every check asks for it as maxLength. */
export const MAX_LENGTH = 16;
const N_BEST = 3;

const inputsFor = (model: LoadedModel, text: string): string[] => (model.task === 'chat' ? ['hello', 'hi', text] : [text]);

async function generate(model: LoadedModel, o: ContractOptions, options: DecodingOptionsInput, onPartial?: (p: string) => void): Promise<GenerateResult> {
  return model.generate({
    inputs: inputsFor(model, o.input),
    options: { maxLength: MAX_LENGTH, ...options },
    signal: new AbortController().signal,
    ...(onPartial ? { onPartial } : {}),
  });
}

/** Beam search with an n-best list and attention: the best first, sorted scores, rows of attention summing to 1. */
export async function checkGenerates(model: LoadedModel, o: ContractOptions): Promise<void> {
  const result = await generate(model, o, { strategy: 'beam', beamSize: N_BEST, nBest: N_BEST, returnNBest: true, returnAttention: true });
  expect(result.text.trim()).not.toBe('');
  expect(result.tokens).toBeGreaterThanOrEqual(1);
  expect(result.tokens).toBeLessThanOrEqual(MAX_LENGTH);
  expect(Number.isFinite(result.score)).toBe(true);
  expect(result.score).toBeLessThanOrEqual(0);
  expect(Number.isFinite(result.timingMs) && result.timingMs >= 0).toBe(true);

  expect(result.nBest).toHaveLength(N_BEST);
  expect(result.nBest[0]).toMatchObject({ text: result.text, score: result.score });
  const scores = result.nBest.map((h) => h.score);
  expect(scores.every(Number.isFinite)).toBe(true);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));

  const { attention, srcTokens, tgtTokens } = result;
  expect(attention, 'returnAttention on a model with attention').toBeDefined();
  expect(srcTokens!.length).toBeGreaterThanOrEqual(1);
  expect(tgtTokens).toHaveLength(result.tokens);
  expect(attention).toHaveLength(tgtTokens!.length);
  for (const row of attention!) {
    expect(row).toHaveLength(srcTokens!.length);
    for (const w of row) expect(w >= 0 && w <= 1, `attention weight ${w}`).toBe(true);
    expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  }

  if (model.task === 'parse') {
    expect(typeof result.repaired).toBe('boolean');
    // Repaired or not, the output is one well-formed tree over exactly the input words.
    for (const h of result.nBest) expect(words(parseTree(h.text))).toEqual(o.input.split(' '));
  } else {
    expect(result.repaired).toBeUndefined();
  }
}

/** Greedy decoding is a function of its input: the same text, score and tokens twice; partials lead to it. */
export async function checkGreedyIsDeterministic(model: LoadedModel, o: ContractOptions): Promise<void> {
  const partials: string[] = [];
  const first = await generate(model, o, { strategy: 'greedy' }, (p) => partials.push(p));
  const second = await generate(model, o, { strategy: 'greedy' });
  expect({ text: second.text, score: second.score, tokens: second.tokens }).toEqual({ text: first.text, score: first.score, tokens: first.tokens });
  expect(first.nBest).toHaveLength(1);
  expect(first.nBest[0]).toMatchObject({ text: first.text, score: first.score });
  expect(first.attention).toBeUndefined();
  // Partials are whole texts so far (the page shows each in place of the last), not deltas.
  expect(partials.length).toBeGreaterThanOrEqual(1);
  expect(partials.length).toBeLessThanOrEqual(first.tokens + 1);
}

/** maxLength bounds the output: asked for one token less than its greedy output, greedy stops there. */
export async function checkMaxLength(model: LoadedModel, o: ContractOptions): Promise<void> {
  const full = await generate(model, o, { strategy: 'greedy' });
  expect(full.tokens, 'the input must decode to more than one token').toBeGreaterThan(1);
  // (Not down to 1: a chat model's MMI-antiLM defaults need maxLength + 1 >= its gamma.)
  const maxLength = full.tokens - 1;
  const cut = await generate(model, o, { strategy: 'greedy', maxLength });
  // A parser's tree constraint closes its brackets within the bound, so it may end sooner.
  if (model.task === 'parse') expect(cut.tokens).toBeLessThanOrEqual(maxLength);
  else expect(cut.tokens).toBe(maxLength);
}

export async function checkHonoursAbort(model: LoadedModel, o: ContractOptions): Promise<void> {
  const controller = new AbortController();
  controller.abort();
  await expect(model.generate({ inputs: inputsFor(model, o.input), options: {}, signal: controller.signal })).rejects.toThrow(/abort/i);
}
