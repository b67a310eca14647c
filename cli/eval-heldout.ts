// `parley eval --heldout chat`: a chat model on Parley's own held-out set (corpora/heldout/chat) as
// it is served — the model's decoding defaults under --options, then the retrieved pool and MMI-bidi
// through the server's own code path (engine/retrieval/respond.ts): perplexity and hits@1/20 of the
// references, how much the earlier turns raise the dialogue references' probability, reply statistics
// over the single messages, how many dialogue answers use an earlier turn, and every reply with its
// origin, so a model card can list them and `npm run eval` can check them.
import { loadHeldoutChat, type HeldoutHalf } from '../corpora/index.ts';
import {
  contextGain,
  DecodeScheduler,
  encodePairs,
  hitsAtOne,
  measurePerplexity,
  planReply,
  replyStats,
  respond,
  usesContext,
  type CandidateOrigin,
  type ContextGain,
  type ReplyModels,
  type TextPair,
} from '../engine/index.ts';

export interface HeldoutReply {
  id: string;
  reply: string;
  origin: CandidateOrigin;
}

/** One setting: decoding options (the model's defaults applied) and the pool asked for (undefined: the model's default). */
export interface HeldoutSetting {
  decoding: Record<string, unknown>;
  retrieved?: number;
}

export type OriginCounts = Record<CandidateOrigin, number>;

export interface HeldoutResult {
  heldout: 'chat';
  split: HeldoutHalf | 'all';
  decoding: Record<string, unknown>;
  /** Replies of this many nearest training prompts joined each pool (0: no pool). */
  retrieved: number;
  /** The backward model that reranked (mmiBidi), or null. */
  backward: string | null;
  /** References given their message or dialogue, all items of the split. */
  perplexity: number;
  hits1of20: number;
  /** The dialogue references scored given their earlier turns against given the last message alone. */
  contextGain: ContextGain;
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
  /** Where the message replies and the dialogue answers came from. */
  origins: { messages: OriginCounts; dialogues: OriginCounts };
  /** Wall-clock of the setting's replies (search, pool and reranking; 64 rows decoded together, as the server does). */
  timing: { totalMs: number; msPerReply: number };
  replies: HeldoutReply[];
  dialogueAnswers: (HeldoutReply & { usesContext: boolean })[];
}

/** Rows decoded together, as the server's scheduler admits them (ServerOptions.maxActiveRowsPerModel). */
const BATCH_ROWS = 64;

const countOrigins = (replies: readonly { origin: CandidateOrigin }[]): OriginCounts => ({
  generated: replies.filter((r) => r.origin === 'generated').length,
  retrieved: replies.filter((r) => r.origin === 'retrieved').length,
});

/** Each conversation's reply as served under one setting, in order, with the wall-clock they took. */
async function replyAll(models: ReplyModels, conversations: readonly string[][], setting: HeldoutSetting) {
  const { forward } = models;
  const plan = planReply(models, setting.decoding, setting.retrieved);
  const scheduler = new DecodeScheduler(forward.stepModel, { maxQueue: conversations.length, maxBatchRows: BATCH_ROWS });
  const started = performance.now();
  try {
    const replies = await Promise.all(conversations.map(async (input) => {
      const source = forward.encodeInput(input);
      const { ranked } = await respond(models, {
        input, source, message: input.at(-1) ?? '', options: setting.decoding, plan,
        search: (options) => scheduler.submit({ source, options }),
      });
      return { reply: forward.decodeOutput(ranked[0]!.tokens, input) as string, origin: ranked[0]!.origin };
    }));
    return { plan, replies, totalMs: performance.now() - started };
  } finally {
    await scheduler.close();
  }
}

/**
 * One result per setting, each also given to `onResult` when it is done (a sweep's early settings are not
 * lost to a late failure); perplexity, hits@1 and the context gain (which do not decode) are measured once.
 */
export async function evaluateHeldout(models: ReplyModels, split: HeldoutHalf | 'all', settings: readonly HeldoutSetting[], onResult?: (result: HeldoutResult) => void): Promise<HeldoutResult[]> {
  const pipeline = models.forward;
  if (pipeline.task !== 'chat') throw new Error(`--heldout chat needs a chat model; this one does the ${pipeline.task} task`);
  const set = await loadHeldoutChat({ split });
  const pairs: TextPair[] = [
    ...set.messages.map((m) => ({ input: [m.message], target: m.reference })),
    ...set.dialogues.map((d) => ({ input: d.turns, target: d.reference })),
  ];
  const perplexity = measurePerplexity(pipeline, encodePairs(pipeline, pairs));
  const { hits1 } = await hitsAtOne(pipeline, pairs, pairs.map((_, i) => i), { candidates: 20, seed: 1 });
  const gain = await contextGain(pipeline, set.dialogues);
  const results: HeldoutResult[] = [];
  for (const setting of settings) {
    const { plan, replies: outputs, totalMs } = await replyAll(models, pairs.map((p) => p.input as string[]), setting);
    const messageReplies = outputs.slice(0, set.messages.length);
    const { replies: _, ...stats } = replyStats(messageReplies.map((r) => r.reply));
    const dialogueAnswers = set.dialogues.map((d, i) => {
      const { reply, origin } = outputs[set.messages.length + i]!;
      return { id: d.id, reply, origin, usesContext: usesContext(reply, d) };
    });
    const result: HeldoutResult = {
      heldout: 'chat',
      split,
      decoding: setting.decoding,
      retrieved: plan.retrieved,
      backward: plan.bidi && models.backward ? models.backward.dir : null,
      perplexity,
      hits1of20: hits1,
      contextGain: gain,
      messages: set.messages.length,
      dialogues: set.dialogues.length,
      ...stats,
      dialoguesUsingContext: dialogueAnswers.filter((a) => a.usesContext).length,
      origins: { messages: countOrigins(messageReplies), dialogues: countOrigins(dialogueAnswers) },
      timing: { totalMs, msPerReply: totalMs / pairs.length },
      replies: set.messages.map((m, i) => ({ id: m.id, ...messageReplies[i]! })),
      dialogueAnswers,
    };
    results.push(result);
    onResult?.(result);
  }
  return results;
}
