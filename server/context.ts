// What the HTTP and socket layers share: the services, storage, metrics, logger and limits.
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';
import type { ChatService } from './service/chat.ts';
import type { GenerationService } from './service/generation.ts';
import type { ModelLoader } from './service/model-loader.ts';
import type { RateLimiter } from './service/rate-limit.ts';
import type { SessionService } from './service/sessions.ts';
import type { Storage } from '../storage/storage.ts';
import type { HostCheck } from './trusted-hosts.ts';

export interface ServerLimits {
  /** Characters of one message. */
  maxTextChars: number;
  /** express.json body limit, bytes. */
  maxBodyBytes: number;
  messagesPerMinutePerSession: number;
  messagesPerMinutePerIp: number;
  /** Sessions issued a minute per client address. */
  newSessionsPerMinutePerIp: number;
}

export interface AppContext {
  loader: ModelLoader;
  generation: GenerationService;
  chat: ChatService;
  sessions: SessionService;
  storage: Storage;
  metrics: Metrics;
  logger: Logger;
  limits: ServerLimits;
  perSession: RateLimiter;
  perIp: RateLimiter;
  /** Whether a Host header names this server (DNS-rebinding guard, trusted-hosts.ts). */
  trustedHost: HostCheck;
  /** Admin routes are disabled when null. */
  adminToken: string | null;
  /** Bearer token for GET /metrics on the main port (the admin token works too); null: none. */
  metricsToken: string | null;
  version: string;
}
