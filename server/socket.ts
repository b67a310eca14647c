// Streaming chat over socket.io: typed events (server/protocol.ts), one session per browser, partial
// replies as they decode, n-best, attention on demand, feedback. Every request is answered, by its
// result or by a request:error event; a client that disconnects cancels its work. A socket acts for the
// session whose server-issued token it presented (service/sessions.ts), and for no other.
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import type { z } from 'zod';
import type { AppContext } from './context.ts';
import type { ClientToServerEvents, RequestErrorEvent, HandshakeAuth, ServerToClientEvents } from './protocol.ts';
import { check, socketSchemas } from './schemas.ts';
import { ServiceError, toServiceError } from './service/errors.ts';
import { cleanText } from './service/text-input.ts';
import { eventLabel, guarded } from './socket-guard.ts';
import type { HostCheck } from './trusted-hosts.ts';

type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
type EventName = keyof ClientToServerEvents;
type Payload<E extends EventName> = Parameters<ClientToServerEvents[E]>[0];

const maxRunningPerSocket = 4;
const tokenPattern = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * socket.io allowRequest: the Host must be trusted (trusted-hosts.ts), and browsers (which send Origin)
 * must come from that same host or from the allowlist. Same-host alone would pass a DNS-rebound page,
 * whose Origin and Host agree.
 */
export function originCheck(allowlist: string[], trustedHost: HostCheck) {
  return (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    if (!trustedHost(req.headers.host)) return callback('host not allowed', false);
    const origin = req.headers.origin;
    if (!origin) return callback(null, true);
    let sameHost = false;
    try {
      sameHost = new URL(origin).host === req.headers.host;
    } catch {
      return callback('bad origin', false);
    }
    const ok = sameHost || allowlist.includes('*') || allowlist.includes(origin);
    callback(ok ? null : 'origin not allowed', ok);
  };
}

export function attachSocket(io: Server<ClientToServerEvents, ServerToClientEvents>, ctx: AppContext): void {
  const connectionFailed = (error: unknown): void => ctx.logger.error({ err: error }, 'socket connection handler failed');
  io.on('connection', guarded(connectionFailed, (socket: ChatSocket) => {
    const ip = socket.handshake.address;
    const auth = socket.handshake.auth as HandshakeAuth;
    // The token the client holds and the row id it stands for; an unknown token binds nothing.
    let token = typeof auth.sessionId === 'string' && tokenPattern.test(auth.sessionId) ? auth.sessionId : null;
    let sessionId = token === null ? null : ctx.sessions.find(token);
    if (sessionId === null) token = null;
    const running = new Map<string, AbortController>();

    const fail = (requestId: string | null, error: unknown, event = 'unknown'): void => {
      const e = toServiceError(error);
      if (e.code === 'internal') ctx.logger.error({ err: error, requestId }, 'socket request failed');
      const payload: RequestErrorEvent = { requestId, code: e.code, message: e.message };
      ctx.metrics.requests.inc({ route: `socket ${event}`, outcome: e.code });
      socket.emit('request:error', payload);
    };
    const session = (): { id: string; token: string } => {
      if (sessionId === null || token === null) throw new ServiceError('invalid_input', 'no session: send session:resume first');
      return { id: sessionId, token };
    };

    function on<E extends EventName>(event: E, handler: (payload: Payload<E>) => Promise<void> | void): void {
      const schema = socketSchemas[event] as unknown as z.ZodType<Payload<E>>;
      const untyped = socket as unknown as { on(name: string, listener: (raw: unknown) => void): void };
      untyped.on(event, (raw: unknown) => {
        const requestId =
          typeof raw === 'object' && raw !== null && typeof (raw as { requestId?: unknown }).requestId === 'string'
            ? ((raw as { requestId: string }).requestId.slice(0, 64))
            : null;
        return guarded((error) => fail(requestId, error, event), async () => {
          if (!ctx.perIp.take(ip)) throw new ServiceError('rate_limited', 'too many requests from this address, slow down');
          const parsed = check(schema, raw);
          if (!parsed.ok) throw new ServiceError('invalid_input', `${event}: ${parsed.reason}`);
          await handler(parsed.value);
        })();
      });
    }

    // Names are strings or numbers (socket.io-parser lets `42[1]` through); either may be unknown.
    socket.onAny(guarded((error) => fail(null, error), (event: unknown) => {
      if (typeof event !== 'string' || !Object.hasOwn(socketSchemas, event)) fail(null, new ServiceError('invalid_input', `unknown event ${eventLabel(event)}`));
    }));

    // With a token: that session or not_found. Without one: a newly issued session.
    on('session:resume', (r) => {
      const resumed = r.sessionId === undefined ? ctx.sessions.issue(ip) : { token: r.sessionId, sessionId: ctx.sessions.require(r.sessionId) };
      [token, sessionId] = [resumed.token, resumed.sessionId];
      const { conversationId, messages } = ctx.chat.resume(resumed.sessionId);
      socket.emit('session:state', { requestId: r.requestId, sessionId: resumed.token, conversationId, messages });
    });

    on('conversation:new', (r) => {
      const s = session();
      const conversationId = ctx.chat.newConversation(s.id);
      socket.emit('session:state', { requestId: r.requestId, sessionId: s.token, conversationId, messages: [] });
    });

    on('chat:send', async (r) => {
      const id = session().id;
      if (running.has(r.requestId)) throw new ServiceError('invalid_input', 'a request with this id is already running');
      if (running.size >= maxRunningPerSocket) throw new ServiceError('rate_limited', 'too many requests running on this connection');
      const text = cleanText(r.text, ctx.limits.maxTextChars);
      if (!text.ok) throw new ServiceError('invalid_input', text.reason);
      if (!ctx.perSession.take(id)) throw new ServiceError('rate_limited', 'too many messages in this session, slow down');
      const controller = new AbortController();
      running.set(r.requestId, controller);
      try {
        const turn = await ctx.chat.send({
          sessionId: id,
          text: text.text,
          model: r.model,
          options: r.options ?? {},
          signal: controller.signal,
          route: 'socket chat:send',
          client: ip,
          onAccepted: (conversationId, message) => socket.emit('chat:accepted', { requestId: r.requestId, conversationId, message }),
          onPartial: (partial) => socket.volatile.emit('chat:partial', { requestId: r.requestId, text: partial }),
        });
        socket.emit('chat:reply', { requestId: r.requestId, conversationId: turn.conversationId, message: turn.bot });
        const reply = turn.bot.reply!;
        ctx.logger.info({ event: 'chat', requestId: r.requestId, model: reply.modelId, tokens: reply.tokens, ms: Math.round(reply.timingMs) }, 'reply sent');
      } finally {
        running.delete(r.requestId);
      }
    });

    on('chat:cancel', (r) => {
      running.get(r.requestId)?.abort();
    });

    on('feedback:send', (r) => {
      if (!ctx.storage.ownsReply(session().id, r.replyId)) throw new ServiceError('not_found', `no reply ${r.replyId} in this session`);
      ctx.storage.setFeedback(r.replyId, r.rating);
      socket.emit('feedback:saved', { requestId: r.requestId, replyId: r.replyId, rating: r.rating });
    });

    on('reply:details', (r) => {
      const details = ctx.storage.ownsReply(session().id, r.replyId) ? ctx.storage.replyDetails(r.replyId) : null;
      if (!details) throw new ServiceError('not_found', `no reply ${r.replyId} in this session`);
      socket.emit('reply:details', { requestId: r.requestId, ...details });
    });

    socket.on('disconnect', guarded(connectionFailed, () => {
      for (const controller of running.values()) controller.abort();
      running.clear();
    }));
  }));
}
