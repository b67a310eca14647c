// Errors a decode request can end with, each with a stable `code` for the serving layer.

export class SchedulerBusyError extends Error {
  readonly code = 'busy';
  constructor(limit: number) {
    super(`busy: the decode queue is full (${limit} requests waiting)`);
    this.name = 'SchedulerBusyError';
  }
}

export class DecodeTimeoutError extends Error {
  readonly code = 'timeout';
  constructor(limitMs: number) {
    super(`timeout: decoding took longer than ${limitMs} ms`);
    this.name = 'DecodeTimeoutError';
  }
}

export class DecodeAbortedError extends Error {
  readonly code = 'aborted';
  constructor() {
    super('aborted: the request was cancelled');
    this.name = 'AbortError';
  }
}

export class SchedulerClosedError extends Error {
  readonly code = 'closed';
  constructor() {
    super('closed: the scheduler is shutting down');
    this.name = 'SchedulerClosedError';
  }
}
