// The HTTP API as the translate and parse pages call it: JSON in, JSON out, and every refusal turned
// into one ApiError carrying the server's own message (e.g. "input too long: 612 tokens ...").
import type { HttpError, ModelInfo, ModelTask } from '../server/protocol.ts';

export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The server's error code (invalid_input, payload_too_large, ...), or "network" / "http". */
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as Partial<HttpError> | null;
  const e = body?.error;
  if (e && typeof e.message === 'string' && typeof e.code === 'string') return new ApiError(e.message, response.status, e.code);
  // Not one of ours (a proxy's HTML page, say): say what happened without showing its body.
  return new ApiError(`the server answered ${response.status} ${response.statusText}`.trim(), response.status, 'http');
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init.headers } });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError('could not reach the server', 0, 'network');
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

export function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return request<T>(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal });
}

/** The loaded models of one task, in the server's order. */
export async function modelsFor(task: ModelTask): Promise<ModelInfo[]> {
  const { models } = await request<{ models: ModelInfo[] }>('/api/models');
  return models.filter((m) => m.task === task);
}
