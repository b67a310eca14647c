import { describe, expect, it } from 'vitest';
import { modelCard, type ModelCardInput } from '../../cli/model-card.ts';
import { modelConfig } from '../../engine/config.ts';

const input: ModelCardInput = {
  task: 'translate',
  config: modelConfig('rnnsearch', { vocabSize: 4000 }),
  corpora: ['tatoeba-fra-eng'],
  command: 'parley train --task translate',
  steps: 4996,
  trainingMs: 45.2 * 60_000,
  backend: 'onnxruntime',
  tokensPerSecond: 2366.4,
  bestValid: { perplexity: 3.75, step: 4500 },
  test: null,
  dataIssues: 'no bad records',
};

describe('modelCard', () => {
  it('says how many threads the training ran on when it is known, and the licence of each corpus', () => {
    const one = modelCard({ ...input, threads: 1 });
    expect(one).toMatch(/- Trained 4996 steps in 45\.2 min on 1 thread of \d+× .* \(onnxruntime backend\), 2366 target tokens\/s/);
    expect(modelCard({ ...input, threads: 2 })).toContain('on 2 threads of ');
    expect(modelCard(input)).not.toContain('thread');
    expect(one).toContain('Licence: CC BY 2.0 FR');
    expect(one).toContain('| step | 4500 |');
  });
});
