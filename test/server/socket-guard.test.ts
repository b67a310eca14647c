import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { eventLabel, guarded } from '../../server/socket-guard.ts';

describe('guarded socket listeners', () => {
  it('hands a synchronous throw to onError instead of the emitter', () => {
    const errors: unknown[] = [];
    const emitter = new EventEmitter();
    emitter.on('x', guarded((e) => errors.push(e), (n: number) => {
      throw new TypeError(`bad ${n}`);
    }));
    expect(() => emitter.emit('x', 1)).not.toThrow();
    expect(errors).toEqual([new TypeError('bad 1')]);
  });

  it('hands a rejection to onError, so no unhandled rejection is left', async () => {
    const errors: unknown[] = [];
    guarded((e) => errors.push(e), async () => {
      await Promise.resolve();
      throw new Error('later');
    })();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([new Error('later')]);
  });

  it('swallows a failing error reporter', () => {
    const listener = guarded(() => {
      throw new Error('reporter');
    }, () => {
      throw new Error('listener');
    });
    expect(() => listener()).not.toThrow();
  });

  it('labels string and non-string event names', () => {
    expect(eventLabel('chat:nope')).toBe('"chat:nope"');
    expect(eventLabel(1)).toBe('1');
    expect(eventLabel('x'.repeat(100))).toBe(`"${'x'.repeat(64)}"`);
    expect(eventLabel(undefined)).toBe('undefined');
  });
});
