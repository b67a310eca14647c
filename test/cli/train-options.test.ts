import { describe, expect, it } from 'vitest';
import { parseTrainFlags } from '../../cli/train-options.ts';

describe('parseTrainFlags', () => {
  it('takes --context-turns for chat', () => {
    expect(parseTrainFlags(['--task', 'chat', '--corpus', 'self-dialogue', '--out', 'x', '--context-turns', '1']).options.contextTurns).toBe(1);
  });

  it('refuses --context-turns for a task that has no turns, instead of ignoring it', () => {
    expect(() => parseTrainFlags(['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x', '--context-turns', '1'])).toThrow(/--context-turns only applies to --task chat/);
  });
});
