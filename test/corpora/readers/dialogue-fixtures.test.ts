// The dialogue readers and loaders on small hand-made files: bad records, speakers, and pairs from
// every adjacent turn with the earlier turns as context.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conversationPairs } from '../../../corpora/dialogue.ts';
import { IssueLog } from '../../../corpora/errors.ts';
import { loadDialoguePairs } from '../../../corpora/load.ts';
import { attributionLine } from '../../../corpora/manifest.ts';
import { readChatterbot } from '../../../corpora/readers/chatterbot.ts';
import { readSgd } from '../../../corpora/readers/sgd.ts';
import type { Conversation } from '../../../corpora/types.ts';
import { tempDir } from '../../helpers/tmp.ts';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

const dir = tempDir('parley-dialogue-fixtures');
function write(relative: string, text: string): string {
  const file = join(dir, relative);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const turn = (speaker: string, text: string) => ({ speaker, text });
const sgdLines = [
  { id: '1_001', services: ['Restaurants_1'], turns: [turn('USER', 'A table for 4, please.'), turn('SYSTEM', 'Which city?'), turn('USER', 'San José.'), turn('SYSTEM', 'Booked for 4 in San José.'), turn('USER', 'Thanks!'), turn('SYSTEM', 'Enjoy.')] },
  { id: '1_002', turns: [turn('USER', 'Hi'), turn('BOT', 'Hello')] },
  { id: '1_003', turns: [turn('USER', 'Hi'), 'Hello'] },
  { id: '1_004', turns: [turn('USER', 'Hi'), turn('SYSTEM', '   ')] },
  { id: '1_005', turns: [turn('USER', 'Only me')] },
  { id: '1_006' },
  { services: ['Banks_1', 'Flights_2'], turns: [turn('USER', 'Send $50 to Ana.'), turn('SYSTEM', 'From checking?')] },
].map((l) => JSON.stringify(l));
sgdLines.splice(3, 0, '{"id": "1_bad", "turns": [');

describe('SGD reader on a fixture', () => {
  const file = write('dialogue/sgd/sgd_dev.jsonl', sgdLines.join('\n'));

  it('keeps valid dialogues with their speakers and services, and reports each bad line once', async () => {
    const log = new IssueLog();
    const cs = await all(readSgd(file, log, 'valid'));
    expect(cs.map((c) => c.id)).toEqual(['1_001', 'line-8']);
    expect(cs[0]).toMatchObject({ topic: 'Restaurants_1', upstreamSplit: 'valid', source: { line: 1 } });
    expect(cs[0]!.speakers).toEqual(['USER', 'SYSTEM', 'USER', 'SYSTEM', 'USER', 'SYSTEM']);
    expect(cs[1]!.topic).toBe('Banks_1,Flights_2');
    expect(log.issues.map((i) => [i.line, i.message.replace(/:.*/, '')])).toEqual([
      [2, 'turn 1 speaker is not USER or SYSTEM'],
      [3, 'turn 1 is not an object'],
      [4, 'invalid JSON'],
      [5, 'turn 1 text is empty'],
      [6, '1 turn(s); a conversation needs at least 2'],
      [7, 'expected an object with a "turns" array'],
    ]);
  });

  it('gives the system side from every adjacent turn, with up to k earlier turns as context', async () => {
    const pairs = await all(loadDialoguePairs('sgd', { split: 'valid', dir, contextTurns: 2 }));
    expect(pairs.filter((p) => p.conversationId === '1_001').map((p) => [p.context, p.message, p.response])).toEqual([
      [[], 'A table for 4, please.', 'Which city?'],
      [['A table for 4, please.', 'Which city?'], 'San José.', 'Booked for 4 in San José.'],
      [['San José.', 'Booked for 4 in San José.'], 'Thanks!', 'Enjoy.'],
    ]);
    const users = await all(loadDialoguePairs('sgd', { split: 'valid', dir, contextTurns: 1, responder: 'USER' }));
    expect(users.filter((p) => p.conversationId === '1_001').map((p) => [p.context, p.response])).toEqual([
      [['A table for 4, please.'], 'San José.'],
      [['San José.'], 'Thanks!'],
    ]);
    expect(attributionLine('sgd')).toMatch(/Schema-Guided Dialogue.*Rastogi et al\. 2020.*Licence: CC BY-SA 4\.0/);
  });
});

describe('self-dialogue and ChatterBot fixtures', () => {
  it('self-dialogue: every adjacent pair of a conversation, the earlier turns as context', async () => {
    write('dialogue/self-dialogue/self_dialogues.jsonl', [
      JSON.stringify({ id: 7, topic: 'music', turns: ['Do you like jazz?', 'Yes, Miles Davis.', 'Kind of Blue?', 'My favourite.'] }),
      JSON.stringify({ id: 8, topic: 'music', turns: ['Alone'] }),
    ].join('\n'));
    const log = new IssueLog();
    const pairs = await all(loadDialoguePairs('self-dialogue', { split: 'train', dir, contextTurns: 5, fractions: { valid: 0, test: 0 }, log }));
    expect(pairs.map((p) => [p.context.length, p.message, p.response])).toEqual([
      [0, 'Do you like jazz?', 'Yes, Miles Davis.'],
      [1, 'Yes, Miles Davis.', 'Kind of Blue?'],
      [2, 'Kind of Blue?', 'My favourite.'],
    ]);
    expect(pairs[2]!.context).toEqual(['Do you like jazz?', 'Yes, Miles Davis.']);
    expect(log.issues.map((i) => i.line)).toEqual([2]);
  });

  it('ChatterBot: a multi-turn conversation gives a pair per adjacent turn with its context', async () => {
    const file = write('chatterbot/english/travel.yml', [
      'categories:', '- travel', 'conversations:',
      '- - Where are you going?', '  - To Oslo.', '  - In winter?', '  - Yes, in January.',
      '- - Hello', '  - Hi',
    ].join('\n'));
    const conversations: Conversation[] = await all(readChatterbot(file, new IssueLog()));
    const pairs = conversations.flatMap((c) => conversationPairs(c, { contextTurns: 2 }));
    expect(pairs.map((p) => [p.context, p.message, p.response])).toEqual([
      [[], 'Where are you going?', 'To Oslo.'],
      [['Where are you going?'], 'To Oslo.', 'In winter?'],
      [['Where are you going?', 'To Oslo.'], 'In winter?', 'Yes, in January.'],
      [[], 'Hello', 'Hi'],
    ]);
    expect(conversations[0]!.topic).toBe('english/travel');
  });
});
