// `parley train --backward`: the MMI-bidi backward model p(message | reply) trains on swapped chat pairs.
import { describe, expect, it } from 'vitest';
import { backwardPair } from '../../cli/train-run.ts';
import { parseTrainFlags } from '../../cli/train-options.ts';

describe('parley train --backward', () => {
  it('trains a chat model that reads the reply alone', () => {
    const { options } = parseTrainFlags(['--task', 'chat', '--out', 'm', '--corpus', 'chatterbot', '--backward']);
    expect(options.backward).toBe(true);
    expect(options.contextTurns).toBe(0);
  });

  it('is refused for other tasks and beside --context-turns', () => {
    expect(() => parseTrainFlags(['--task', 'translate', '--out', 'm', '--backward'])).toThrow(/--backward only applies to --task chat, not translate/);
    expect(() => parseTrainFlags(['--task', 'chat', '--out', 'm', '--backward', '--context-turns', '2'])).toThrow(/--backward reads only the reply/);
  });

  it('swaps each pair: the reply becomes the input, the message (the last turn, not the context) the target', () => {
    expect(backwardPair({ input: ['earlier turn', 'how are you'], target: 'fine thanks' })).toEqual({ input: ['fine thanks'], target: 'how are you' });
    expect(backwardPair({ input: 'hello', target: 'hi' })).toEqual({ input: ['hi'], target: 'hello' });
  });
});
