// Tests and benchmarks only: a raw engine.io v4 long-polling client, to send socket.io packets exactly as
// written (`42[1]`, broken JSON) rather than as socket.io-client would encode them.

export interface PollingClient {
  sid: string;
  /** POSTs one or more raw packets (joined by the record separator, as engine.io batches them). */
  send(...packets: string[]): Promise<Response>;
  /** One long-poll: the packets the server has queued for this client. */
  poll(): Promise<string[]>;
}

const separator = '\x1e';

export async function pollingClient(baseUrl: string): Promise<PollingClient> {
  const endpoint = (sid?: string) => new URL(`socket.io/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}`, baseUrl);
  const open = await (await fetch(endpoint())).text();
  if (!open.startsWith('0')) throw new Error(`engine.io handshake failed: ${open.slice(0, 100)}`);
  const { sid } = JSON.parse(open.slice(1)) as { sid: string };
  const client: PollingClient = {
    sid,
    send: (...packets) => fetch(endpoint(sid), { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: packets.join(separator) }),
    poll: async () => (await (await fetch(endpoint(sid))).text()).split(separator),
  };
  await client.send('40');
  const connected = await client.poll();
  if (!connected.some((p) => p.startsWith('40'))) throw new Error(`socket.io connect failed: ${connected.join(' | ').slice(0, 100)}`);
  return client;
}
