// Socket listeners run inside socket.io's EventEmitter: an error they throw (or a promise they reject)
// becomes an uncaught exception, which the wasm backend's handler rethrows and the process exits. Every
// listener the server registers goes through `guarded`, so a failure ends one request, never the process.

/** The listener, with whatever it throws or rejects handed to `onError` instead of the emitter. */
export function guarded<A extends unknown[]>(onError: (error: unknown) => void, listener: (...args: A) => unknown): (...args: A) => void {
  const report = (error: unknown): void => {
    try {
      onError(error);
    } catch {
      // The error reporter itself failed (socket gone mid-emit): nothing left to tell the client.
    }
  };
  return (...args: A) => {
    try {
      const result = listener(...args);
      if (result instanceof Promise) result.catch(report);
    } catch (error) {
      report(error);
    }
  };
}

/** A socket.io event name as text for messages: clients may send numbers (`42[1]`) as names. */
export function eventLabel(name: unknown): string {
  if (typeof name === 'string') return JSON.stringify(name.slice(0, 64));
  return (JSON.stringify(name) ?? typeof name).slice(0, 64);
}
