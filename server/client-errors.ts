// What express and its body parser throw for a request that is the client's fault — too large, bad JSON,
// bad UTF-8, compressed data that does not decompress, a path with a malformed percent-encoding — as
// ServiceErrors with a 4xx status. These errors carry their 4xx `status` (http-errors); nothing that
// carries one may turn into a 500.
import type { Request } from 'express';
import { ServiceError, type ErrorCode } from './service/errors.ts';

interface HttpErrorFields {
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  errno?: unknown;
  expose?: unknown;
  message?: unknown;
}

const codeOfStatus: Record<number, ErrorCode> = {
  401: 'unauthorized',
  403: 'unauthorized',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

const decodes = (text: string): boolean => {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

/** The client's mistake as a ServiceError, or null when `error` is not one (the caller maps it). */
export function clientError(error: unknown, req: Request): ServiceError | null {
  if (error instanceof ServiceError || typeof error !== 'object' || error === null) return null;
  const e = error as HttpErrorFields;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : null;
  const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase().slice(0, 32);
  switch (e.type) {
    case 'entity.too.large':
      return new ServiceError('payload_too_large', 'request body is too large');
    case 'entity.parse.failed':
      return new ServiceError('invalid_input', 'request body is not valid JSON');
    case 'entity.verify.failed':
      return new ServiceError('invalid_input', 'request body is not valid UTF-8');
    case 'charset.unsupported':
      return new ServiceError('unsupported_media_type', 'request body must be UTF-8 JSON');
    case 'encoding.unsupported':
      return new ServiceError('unsupported_media_type', `request body has content-encoding "${encoding}": only gzip, deflate, br or none are accepted`);
  }
  // Express decodes route parameters (URIError), express.static the whole path (a bare 400).
  if (error instanceof URIError || (status === 400 && !decodes(req.path))) {
    return new ServiceError('invalid_input', 'the path has a malformed percent-encoding');
  }
  // zlib's errors (they carry an errno) wrapped by the body parser as 400s.
  if (status === 400 && typeof e.errno === 'number' && encoding !== 'identity') {
    return new ServiceError('invalid_input', `request body is not valid ${encoding} data`);
  }
  if (status === null || status < 400 || status > 499) return null;
  const message = e.expose === true && typeof e.message === 'string' ? e.message.slice(0, 200) : 'bad request';
  return new ServiceError(codeOfStatus[status] ?? 'invalid_input', message);
}
