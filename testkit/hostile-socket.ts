// Tests and benchmarks only: hostile socket.io traffic as fast-check arbitraries — events of every name
// (known, unknown, numeric, reserved, unicode) with payloads of every JSON type, hostile decoding options
// (hostile-options.ts), binary and acks — and raw engine.io polling packets written by hand (`42[1]`,
// broken JSON, other namespaces, bogus attachments).
import fc from 'fast-check';
import { hostileOptions } from './hostile-options.ts';
import { anyJson, hostileString } from './hostile-text.ts';

const known = ['session:resume', 'chat:send', 'chat:cancel', 'conversation:new', 'feedback:send', 'reply:details'];

export const eventName: fc.Arbitrary<string | number> = fc.oneof(
  fc.constantFrom(...known),
  fc.constantFrom('disconnecting', 'newListener', 'error', 'connect', 'message', '__proto__', 'toString', 'hasOwnProperty', ''),
  hostileString.map((s) => s.slice(0, 300)),
  fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1, 1e308)),
);

/** A payload shaped like a known event's, each field possibly hostile. */
const shapedPayload = fc.record(
  {
    requestId: fc.oneof(fc.constantFrom('r1', 'r2'), hostileString, anyJson),
    sessionId: fc.oneof(fc.constantFrom('fuzz-session'), hostileString),
    text: fc.oneof(fc.constantFrom('hello there'), hostileString),
    replyId: fc.oneof(fc.integer({ min: -1, max: 5 }), anyJson),
    rating: fc.oneof(fc.constantFrom('up', 'down'), anyJson),
    model: fc.oneof(fc.constantFrom('chat-small', 'en-fr', 'chat', 'plain', 'global'), hostileString),
    options: fc.oneof(anyJson, hostileOptions),
  },
  { requiredKeys: [] },
);

export interface HostileEmit {
  name: string | number;
  args: unknown[];
  /** Ask for an acknowledgement (a function as the last argument). */
  ack: boolean;
}

export const hostileEmit: fc.Arbitrary<HostileEmit> = fc.record({
  name: eventName,
  args: fc.array(fc.oneof(shapedPayload, anyJson, fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b))), { maxLength: 3 }),
  ack: fc.boolean(),
});

/** Raw socket.io-over-engine.io packets, as a polling client would POST them. */
export const hostilePacket: fc.Arbitrary<string> = fc.oneof(
  hostileEmit.map((e) => `42${JSON.stringify([e.name, ...e.args.map((a) => (Buffer.isBuffer(a) ? a.toString('base64') : a))])}`),
  fc.tuple(fc.nat(), eventName, anyJson).map(([id, name, payload]) => `42${id}${JSON.stringify([name, payload])}`),
  fc.constantFrom(
    '42[1]', '42[', '42[1', '42', '4', '42{"a":1}', '42null', '42[]', '42[null]', '42[true,1]', '42[["chat:send"]]',
    '451-["chat:send",{"_placeholder":true,"num":0}]', '452-["x",{"_placeholder":true,"num":7}]',
    '42/admin,["chat:send",{}]', '40/nope,', '40{"token":1}', '41', '43[1]', '431[]', '44', '46', '2probe', '5', '6', '1', '3', '9',
    '42["session:resume",{"requestId":"r","sessionId":"../../etc"}]',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => `42${s}`),
  fc.string({ unit: 'binary', maxLength: 60 }),
);
