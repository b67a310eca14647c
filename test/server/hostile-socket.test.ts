// Issue 11 regressions: socket.io packets that once crashed the whole process (a numeric event name,
// `event.slice` in onAny) end in a request:error and the server keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forRequest, next, startTestServer, type TestServer } from './helpers/harness.ts';
import { pollingClient } from '../../testkit/polling.ts';

describe('hostile socket.io packets', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  const stillServes = async (): Promise<void> => {
    expect(await (await fetch(new URL('/health', t.url))).json()).toEqual({ status: 'ok' });
    const { socket } = await t.sessionClient();
    socket.emit('chat:send', { requestId: 'ok', text: 'still here' });
    expect((await next(socket, 'chat:reply', forRequest('ok'))).message.text).toBe('here still');
  };

  it('answers io(url).emit(1) with an unknown-event error', async () => {
    const socket = await t.client();
    const error = next(socket, 'request:error');
    (socket as unknown as { emit(name: number): void }).emit(1);
    expect(await error).toMatchObject({ requestId: null, code: 'invalid_input', message: 'unknown event 1' });
    await stillServes();
  });

  it('answers the raw polling packet 42[1] with an unknown-event error', async () => {
    const client = await pollingClient(t.url);
    expect(await (await client.send('42[1]')).text()).toBe('ok');
    const packets = await client.poll();
    expect(packets).toContain('42["request:error",{"requestId":null,"code":"invalid_input","message":"unknown event 1"}]');
    await stillServes();
  });

  it('answers a known event whose payload is not an object, and one with a float name', async () => {
    const client = await pollingClient(t.url);
    await client.send('42["chat:send",[1,{"requestId":"x"}]]', '42[1e308,{"a":1}]', '42["session:resume"]');
    const packets = (await client.poll()).join('\n');
    expect(packets).toContain('chat:send: Invalid input: expected object, received array');
    expect(packets).toContain('unknown event 1e+308');
    expect(packets).toContain('session:resume: Invalid input: expected object, received undefined');
    await stillServes();
  });
});
