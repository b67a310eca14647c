// Session tokens: the server issues each session a random 256-bit token (base64url) that the client
// keeps and presents to resume it. Only the token's SHA-256 is stored and looked up, so the database
// holds nothing a client could replay and the lookup leaks nothing about other tokens through timing.
// A token nobody was issued finds nothing and creates nothing.
import { createHash, randomBytes } from 'node:crypto';
import type { Storage } from '../../storage/storage.ts';
import { ServiceError } from './errors.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface IssuedSession {
  /** What the client keeps (localStorage) and sends back; never stored. */
  token: string;
  /** The session's row id, used inside the server only. */
  sessionId: string;
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export class SessionService {
  constructor(
    private readonly storage: Storage,
    /** New sessions per client address: leaving out the token must not give a fresh rate limit each time. */
    private readonly issuedPerIp: RateLimiter,
  ) {}

  issue(ip: string): IssuedSession {
    if (!this.issuedPerIp.take(ip)) throw new ServiceError('rate_limited', 'too many new sessions from this address, slow down');
    const token = randomBytes(32).toString('base64url');
    return { token, sessionId: this.storage.createSession(tokenHash(token)) };
  }

  /** The session a token was issued for, or null. */
  find(token: string): string | null {
    return this.storage.sessionByTokenHash(tokenHash(token));
  }

  /** Like find, but refuses an unknown token the way a client can act on. */
  require(token: string): string {
    const id = this.find(token);
    if (id === null) throw new ServiceError('not_found', 'unknown session: start a new one (leave out the session id)');
    return id;
  }
}
