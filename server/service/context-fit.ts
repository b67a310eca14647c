// Fits a conversation into a model's source-token limit. Earlier turns go first, oldest first, so one
// long message can never wedge a session (issue 11.3: a 131-word turn kept every later request over the
// limit); only a new message that alone is too long is refused, and it is that message's error.
import { InvalidInputError } from './model-backend.ts';

export interface FittedTurns {
  /** The newest turns that fit, the new message last. */
  turns: string[];
  source: number[];
}

/** `encode` maps turns to source ids (the model's own joining, separators included). */
export function fitTurns(turns: readonly string[], encode: (turns: string[]) => number[], maxTokens: number): FittedTurns {
  for (let first = 0; first < turns.length; first++) {
    const kept = turns.slice(first);
    const source = encode(kept);
    if (source.length <= maxTokens) return { turns: kept, source };
    if (kept.length === 1) {
      throw new InvalidInputError(`message too long: ${source.length} tokens after subword encoding (at most ${maxTokens})`);
    }
  }
  throw new InvalidInputError('chat input needs at least one turn');
}
