import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrainingLog } from '../../../server/service/training-log.ts';

describe('parseTrainingLog', () => {
  it('keeps training and validation points and skips what it cannot read', () => {
    const log = ['{"step":100,"loss":3.2,"tokensPerSecond":900}', 'not json', '{"loss":1}', '{"step":500,"valid":{"perplexity":24.5,"bleu":3.1,"note":"x"}}', ''].join('\n');
    expect(parseTrainingLog(log)).toEqual([
      { step: 100, loss: 3.2, tokensPerSecond: 900 },
      { step: 500, valid: { perplexity: 24.5, bleu: 3.1 } },
    ]);
  });
});
