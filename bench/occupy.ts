// `npm run bench:occupy`: can one request occupy a model? Against the real engine (server/main.ts on
// models/, or --models DIR), from distinct loopback addresses: the issue's request (32 texts, beam 32,
// min/max length 512), then the heaviest kind the budget allows while a normal request arrives 200 ms
// later. Prints each one's status and milliseconds as JSON.
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { startChildServer } from './child-server.ts';

const { values } = parseArgs({ options: { models: { type: 'string', default: 'models' }, 'server-args': { type: 'string', default: '' } } });

function post(url: string, from: string, body: unknown): Promise<{ status: number; ms: number; message?: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(new URL('/api/translate', url), { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const error = (JSON.parse(text) as { error?: { message: string } }).error;
        resolve({ status: res.statusCode!, ms: Math.round(performance.now() - started), ...(error && { message: error.message.slice(0, 160) }) });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const sentence = 'Je pense que nous devrions partir tôt demain matin pour éviter les embouteillages.';
const server = await startChildServer({ entry: 'server/main.ts', models: values.models, args: values['server-args'].split(' ').filter(Boolean) });
try {
  await post(server.url, '127.0.0.1', { text: 'Bonjour.' });
  const alone = await post(server.url, '127.0.0.3', { text: 'Où est la gare ?' });
  const issue = await post(server.url, '127.0.0.2', { texts: Array(32).fill(sentence), options: { beamSize: 32, minLength: 512, maxLength: 512 } });
  // Two texts at beam 32 to 512 tokens: ~34,000 row-steps, under the default budget of 50,000.
  const heavyRun = post(server.url, '127.0.0.2', { texts: [sentence, sentence], options: { beamSize: 32, minLength: 512, maxLength: 512 } });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const normal = await post(server.url, '127.0.0.3', { text: 'Où est la gare ?' });
  const heavy = await heavyRun;
  console.log(JSON.stringify({ bench: 'occupy', normalAlone: alone, issueRequest: issue, heaviestAllowed: heavy, normalDuringHeavy: normal }, null, 2));
} finally {
  server.stop();
}
