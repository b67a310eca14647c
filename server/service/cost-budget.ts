// The work one request may ask for, in decoder row-steps. A request's cost is, summed over its texts,
//   rows (beam size, samples, 1 for greedy) × max output tokens × (1 + source tokens / 256),
// the model's decoding defaults applied. A row-step is one hypothesis advanced one token; attention
// over the source adds to it: on translate-fr-en (wasm, 2 cores) beam 32 to 512 tokens took 1.0 s for a
// 6-token source and 1.35 s for a 105-token one, about 60 µs a row-step plus a doubling per ~300 source
// tokens. MMI-antiLM's language-model lane and reranking (the retrieved pool, MMI-bidi) add their own
// row-steps (model.plan's lmRowSteps and rerankRowSteps). Above the budget a request is refused before it
// is queued, so no request occupies a model.
import { ServiceError } from './errors.ts';
import type { DecodePlan, DecodingOptionsInput, LoadedModel } from './model-backend.ts';

/** Source tokens whose attention costs as much as a step's fixed work (rounded from the figures above). */
export const SOURCE_TOKENS_PER_STEP_COST = 256;

/**
 * The default budget, about 3 s of one model on two cores: every request at the shipped models' defaults
 * passes (32 texts of 400 tokens at beam 5 to 100 tokens cost 40,960), as does one text at beam 32 to 512
 * tokens (~16,700); the issue's 32 texts at beam 32 to 512 tokens (~545,000) does not.
 */
export const DEFAULT_MAX_REQUEST_COST = 50_000;

/** One text of a request: the model that decodes it, its inputs (chat: the turns) and options. */
export interface CostItem {
  model: LoadedModel;
  inputs: string[];
  options: DecodingOptionsInput;
  /** The model's plan of these inputs and options when one was made already; else it is made here. */
  plan?: DecodePlan;
}

/** One text's plan and the model that made it: handed on to generate, which reuses its encoding. */
export interface PlannedText {
  model: LoadedModel;
  plan: DecodePlan;
}

export interface RequestCost {
  /** Row-steps, rounded up. */
  cost: number;
  /** Rows of the widest text: what the request holds of the model's batch at once, per text. */
  rows: number;
  /** Each item's plan, in item order. */
  planned: PlannedText[];
}

/** The summed cost of decoding every item. */
export function requestCost(items: CostItem[]): RequestCost {
  let cost = 0;
  let rows = 0;
  const planned: PlannedText[] = [];
  for (const { model, inputs, options, plan: given } of items) {
    const plan = given ?? model.plan({ inputs, options });
    cost += plan.rows * plan.maxSteps * (1 + plan.sourceTokens / SOURCE_TOKENS_PER_STEP_COST) + (plan.lmRowSteps ?? 0) + (plan.rerankRowSteps ?? 0);
    rows = Math.max(rows, plan.rows);
    planned.push({ model, plan });
  }
  return { cost: Math.ceil(cost), rows, planned };
}

/** Throws 413 payload_too_large naming the cost and the budget when the request is over it. */
export function assertWithinBudget(maxCost: number, items: CostItem[]): RequestCost {
  const cost = requestCost(items);
  if (cost.cost > maxCost) {
    const over = items.length > 1 ? `, summed over ${items.length} texts` : '';
    throw new ServiceError(
      'payload_too_large',
      `request costs ${cost.cost} decoder row-steps (beam rows × max output tokens × (1 + source tokens / ${SOURCE_TOKENS_PER_STEP_COST})${over}), ` +
        `over the budget of ${maxCost}: ask for fewer texts, fewer rows (beamSize, or nBest when sampling), a lower maxLength, ` +
        'a smaller retrieved pool or a smaller mmiAntiLm.gamma',
    );
  }
  return cost;
}
