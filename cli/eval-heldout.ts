// `parley eval --heldout chat`: a chat model on Parley's own held-out set (corpora/heldout/chat) as
// it is served (the model's decoding defaults under --options): perplexity and hits@1/20 of the
// references, reply statistics over the single messages, and how many dialogue answers use an
// earlier turn, with every reply, so a model card can list them and `npm run eval` can check them.
import { loadHeldoutChat, type HeldoutHalf } from '../corpora/index.ts';
import {
  encodePairs,
  hitsAtOne,
  measurePerplexity,
  replyStats,
  usesContext,
  type Pipeline,
  type TextPair,
} from '../engine/index.ts';

export interface HeldoutReply {
  id: string;
  reply: string;
}

export interface HeldoutResult {
  heldout: 'chat';
  split: HeldoutHalf | 'all';
  decoding: Record<string, unknown>;
  /** References given their message or dialogue, all items of the split. */
  perplexity: number;
  hits1of20: number;
  messages: number;
  dialogues: number;
  /** Over the single-message replies. */
  distinct1: number;
  distinct2: number;
  mostRepeated: { reply: string; count: number };
  emptyReplies: number;
  meanLength: number;
  /** Dialogue answers the keyword judge says use an earlier turn. */
  dialoguesUsingContext: number;
  replies: HeldoutReply[];
  dialogueAnswers: (HeldoutReply & { usesContext: boolean })[];
}

/** One result per decoding setting; perplexity and hits@1 (which do not decode) are measured once. */
export async function evaluateHeldout(pipeline: Pipeline, split: HeldoutHalf | 'all', settings: readonly Record<string, unknown>[]): Promise<HeldoutResult[]> {
  if (pipeline.task !== 'chat') throw new Error(`--heldout chat needs a chat model; this one does the ${pipeline.task} task`);
  const set = await loadHeldoutChat({ split });
  const pairs: TextPair[] = [
    ...set.messages.map((m) => ({ input: [m.message], target: m.reference })),
    ...set.dialogues.map((d) => ({ input: d.turns, target: d.reference })),
  ];
  const perplexity = measurePerplexity(pipeline, encodePairs(pipeline, pairs));
  const { hits1 } = await hitsAtOne(pipeline, pairs, pairs.map((_, i) => i), { candidates: 20, seed: 1 });
  const results: HeldoutResult[] = [];
  for (const decoding of settings) {
    const outputs = (await pipeline.run(pairs.map((p) => p.input), decoding)).map((r) => r.output as string);
    const messageReplies = outputs.slice(0, set.messages.length);
    const { replies: _, ...stats } = replyStats(messageReplies);
    const dialogueAnswers = set.dialogues.map((d, i) => {
      const reply = outputs[set.messages.length + i]!;
      return { id: d.id, reply, usesContext: usesContext(reply, d) };
    });
    results.push({
      heldout: 'chat',
      split,
      decoding,
      perplexity,
      hits1of20: hits1,
      messages: set.messages.length,
      dialogues: set.dialogues.length,
      ...stats,
      dialoguesUsingContext: dialogueAnswers.filter((a) => a.usesContext).length,
      replies: set.messages.map((m, i) => ({ id: m.id, reply: messageReplies[i]! })),
      dialogueAnswers,
    });
  }
  return results;
}
