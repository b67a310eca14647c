// The work one request may ask for. A request's cost is, summed over its texts,
//   source tokens × rows (beam size, samples, 1 for greedy) × max output tokens,
// the model's decoding defaults applied — roughly the attention reads of the longest decode it permits.
// Above the budget the request is refused before it is queued, so no single request occupies a model.
import { ServiceError } from './errors.ts';
import type { DecodingOptionsInput, LoadedModel } from './model-backend.ts';

/**
 * The default budget: one 400-token input (the engine's limit) at beam 5 to 500 tokens, or 32 texts of
 * 60 tokens at beam 5 to the default 100; every shipped model's defaults on a normal request pass by far.
 */
export const DEFAULT_MAX_REQUEST_COST = 1_000_000;

/** One text of a request: the model that decodes it, its inputs (chat: the turns) and options. */
export interface CostItem {
  model: LoadedModel;
  inputs: string[];
  options: DecodingOptionsInput;
}

/** The summed cost of decoding every item. */
export function requestCost(items: CostItem[]): number {
  let cost = 0;
  for (const { model, inputs, options } of items) {
    const plan = model.plan({ inputs, options });
    // An empty source still runs the decoder: it counts as one token.
    cost += Math.max(1, plan.sourceTokens) * plan.rows * plan.maxSteps;
  }
  return cost;
}

/** Throws 413 payload_too_large naming the cost and the budget when the request is over it. */
export function assertWithinBudget(maxCost: number, items: CostItem[]): number {
  const cost = requestCost(items);
  const texts = items.length;
  if (cost > maxCost) {
    const over = texts > 1 ? `, summed over ${texts} texts` : '';
    throw new ServiceError(
      'payload_too_large',
      `request costs ${cost} (source tokens × beam rows × max output tokens${over}), over the budget of ${maxCost}: ` +
        'ask for fewer texts, a smaller beamSize or a lower maxLength',
    );
  }
  return cost;
}
