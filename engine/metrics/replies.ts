// What a set of generated replies looks like as a whole: diversity (distinct-1/2, Li et al. 2016),
// the most repeated reply and its count, empty replies and mean length, over space-separated words.
import { distinct12 } from './distinct.ts';

export interface ReplyStats {
  replies: number;
  distinct1: number;
  distinct2: number;
  /** The reply given most often (exact text, trimmed) and how many times; the first such on a tie. */
  mostRepeated: { reply: string; count: number };
  emptyReplies: number;
  /** Words per reply. */
  meanLength: number;
}

const words = (reply: string): string[] => reply.split(/\s+/).filter((w) => w !== '');

export function replyStats(replies: readonly string[]): ReplyStats {
  if (replies.length === 0) throw new Error('replyStats: no replies');
  const counts = new Map<string, number>();
  for (const r of replies) counts.set(r.trim(), (counts.get(r.trim()) ?? 0) + 1);
  let mostRepeated = { reply: '', count: 0 };
  for (const [reply, count] of counts) if (count > mostRepeated.count) mostRepeated = { reply, count };
  const tokens = replies.map(words);
  return {
    replies: replies.length,
    ...distinct12(tokens),
    mostRepeated,
    emptyReplies: tokens.filter((t) => t.length === 0).length,
    meanLength: tokens.reduce((s, t) => s + t.length, 0) / replies.length,
  };
}
