// Conversations → message/response pairs with up to k earlier turns as context (the multi-turn setup
// of Sordoni et al. 2015 / Serban et al. 2016); the model input joins context and message with a
// turn separator token.
import type { Conversation, DialoguePair } from './types.ts';

export interface PairOptions {
  /** How many turns before the message to keep as context (0: single-turn pairs). */
  contextTurns: number;
  /** Keep only responses by this speaker (e.g. SGD's 'SYSTEM'); conversations without speakers keep all. */
  responder?: string;
}

export function conversationPairs(conversation: Conversation, options: PairOptions): DialoguePair[] {
  const k = options.contextTurns;
  if (!Number.isInteger(k) || k < 0) throw new Error(`contextTurns must be an integer >= 0, got ${k}`);
  const { turns, speakers } = conversation;
  const pairs: DialoguePair[] = [];
  for (let i = 0; i + 1 < turns.length; i++) {
    if (options.responder !== undefined && speakers !== undefined && speakers[i + 1] !== options.responder) continue;
    pairs.push({
      context: turns.slice(Math.max(0, i - k), i),
      message: turns[i]!,
      response: turns[i + 1]!,
      conversationId: conversation.id,
    });
  }
  return pairs;
}

/** The encoder input for a pair: context turns then the message, separated by `separator`. */
export function joinTurns(pair: Pick<DialoguePair, 'context' | 'message'>, separator: string): string {
  return [...pair.context, pair.message].join(` ${separator} `);
}
