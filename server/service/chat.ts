// Conversations: the dialogue model sees the session's earlier turns; the user message is stored
// before decoding and the reply is committed before anyone is told about it.
import type { DecodingOptionsInput, MessageView } from '../protocol.ts';
import type { Storage } from '../../storage/storage.ts';
import type { GenerationService } from './generation.ts';

export interface ChatSend {
  sessionId: string;
  /** Already cleaned (text-input.ts). */
  text: string;
  model?: string;
  options: DecodingOptionsInput;
  signal?: AbortSignal;
  onAccepted?: (conversationId: number, message: MessageView) => void;
  onPartial?: (text: string) => void;
  route: string;
  /** The sender's address, for fair queueing. */
  client?: string;
}

export interface ChatTurn {
  conversationId: number;
  user: MessageView;
  bot: MessageView;
}

/**
 * The texts of user messages that got a reply, each followed by its reply (paired by reply-to id, since
 * replies to messages in flight together are stored in the order they finish): a message whose decode
 * failed (busy, cancelled) stays in the history but is not shown to the model as if it had been answered.
 */
export function answeredTurns(history: MessageView[]): string[] {
  const replyOf = new Map<number, MessageView>();
  for (const m of history) if (m.role === 'bot' && m.replyTo !== undefined) replyOf.set(m.replyTo, m);
  const turns: string[] = [];
  for (const m of history) {
    const reply = m.role === 'user' ? replyOf.get(m.id) : undefined;
    if (reply) turns.push(m.text, reply.text);
  }
  return turns;
}

export class ChatService {
  constructor(
    private readonly storage: Storage,
    private readonly generation: GenerationService,
    /** Earlier turns handed to the model, newest kept. */
    private readonly maxTurns: number,
  ) {}

  resume(sessionId: string): { conversationId: number; messages: MessageView[] } {
    const conversationId = this.storage.currentConversation(sessionId);
    return { conversationId, messages: this.storage.history(conversationId) };
  }

  newConversation(sessionId: string): number {
    return this.storage.newConversation(sessionId);
  }

  async send(req: ChatSend): Promise<ChatTurn> {
    const model = this.generation.resolve('chat', req.model);
    const conversationId = this.storage.currentConversation(req.sessionId);
    const earlier = answeredTurns(this.storage.history(conversationId)).slice(-this.maxTurns);
    // Refused before anything is stored: an over-budget message is not half-accepted.
    const { rows, planned } = this.generation.checkCost('chat', [{ model: model.id, inputs: [...earlier, req.text], options: req.options }]);
    this.generation.assertAdmits(model.id, rows, req.client);
    const user = this.storage.addUserMessage(conversationId, req.text);
    req.onAccepted?.(conversationId, user);
    const { model: used, result } = await this.generation.generate({
      task: 'chat',
      model: model.id,
      inputs: [...earlier, req.text],
      options: req.options,
      planned: planned[0],
      signal: req.signal,
      onPartial: req.onPartial,
      route: req.route,
      client: req.client,
    });
    const bot = this.storage.addReply({
      conversationId,
      replyTo: user.id,
      text: result.text,
      modelId: used.id,
      modelVersion: used.version,
      options: req.options,
      score: result.score,
      tokens: result.tokens,
      nBest: result.nBest,
      attention: result.attention,
      srcTokens: result.srcTokens,
      tgtTokens: result.tgtTokens,
      timingMs: result.timingMs,
    });
    return { conversationId, user, bot };
  }
}
