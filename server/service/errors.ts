// Errors the server reports to clients: a stable code, a human reason, and the HTTP status it maps to.

import type { ErrorCode } from '../protocol.ts';

export type { ErrorCode };

const statusOf: Record<ErrorCode, number> = {
  invalid_input: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  busy: 503,
  timeout: 504,
  cancelled: 499,
  shutting_down: 503,
  internal: 500,
};

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return statusOf[this.code];
  }
}

/** The `code`s of the decoding scheduler's errors (engine/decoding/errors.ts) and what they mean here. */
const engineCodes: Record<string, ErrorCode> = {
  busy: 'busy',
  timeout: 'timeout',
  aborted: 'cancelled',
  closed: 'shutting_down',
};

/** Any thrown value as a ServiceError; unknown failures become 'internal' without leaking details. */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof code === 'string' && code in engineCodes) return new ServiceError(engineCodes[code]!, error.message);
  // The engine's option errors (engine/decoding/options.ts) are the client's mistake too.
  if (error instanceof Error && (error.name === 'InvalidInputError' || error.name === 'DecodingOptionsError')) {
    return new ServiceError('invalid_input', error.message);
  }
  return new ServiceError('internal', 'internal error');
}
