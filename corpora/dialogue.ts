// Conversations → message/response pairs with up to k earlier turns as context (the multi-turn setup
// of Sordoni et al. 2015 / Serban et al. 2016); the model input joins context and message with a
// turn separator token. Also the judge of which pairs need that context (--context-repeat).
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

// Function words too common to show that a reply read a turn: a reply saying "really" or "would" has
// taken nothing from the conversation. Words under four letters are left out as well, numbers kept.
const FUNCTION_WORDS = new Set(
  ('that this with have what about there their they them then than just like really know think would could should ' +
    'will shall cant dont didnt does doing done been being were from into onto over under some many much more most ' +
    'very also well okay yeah sure when where which whom whose want need good great nice thanks thank please your ' +
    'yours mine youre thats theres lets going gonna here ' +
    'isnt wasnt arent werent wouldnt couldnt shouldnt doesnt havent hasnt hadnt wont theyre ive youve weve theyve ' +
    'youll itll whats hows').split(' '),
);

/** Lower-cased words of a turn that can carry its content: four letters or more outside FUNCTION_WORDS, or numbers. */
export function contentWords(text: string): string[] {
  // Marks belong to their word (Devanagari's vowel signs); NFC first, so a decomposed letter lowers as one.
  const words = text.normalize('NFC').toLowerCase().match(/[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)?/gu) ?? [];
  return words
    .map((w) => w.replace(/['’]s$/, '').replace(/['’]/g, ''))
    .filter((w) => /^\p{N}+$/u.test(w) || ([...w].length >= 4 && !FUNCTION_WORDS.has(w)));
}

/**
 * Does the reply reuse a content word of the earlier turns that the message itself lacks? Such a pair
 * can only be answered well by reading the context (an SGD agent confirming the party size the user
 * gave two turns before; a film named earlier): `parley train --context-repeat` trains on them more often.
 * A coarse judge: a topic word carried along ("movie", "favorite") passes as well as a fact that had to
 * be read, so it selects more than the pairs that need the context.
 */
export function replyDrawsOnContext(context: readonly string[], message: string, reply: string): boolean {
  if (context.length === 0) return false;
  const inMessage = new Set(contentWords(message));
  const inContext = new Set(context.flatMap(contentWords));
  return contentWords(reply).some((w) => !inMessage.has(w) && inContext.has(w));
}
