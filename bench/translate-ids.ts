// Writes a translation run's train / valid / test pairs as token ids for bench/torch/translate.py
// (see bench/torch/README.md). Usage:
//   npx tsx bench/translate-ids.ts --model DIR --out DIR [--corpus NAME...] [--corpora DIR] [--direction fr-en]
//     [--seed N] [--max-length N] [--max-examples N] [--batch-tokens N] [--valid-limit N] [--limit N] [--eval-max-examples N]
import { parseArgs } from 'node:util';
import { positiveInt } from '../cli/train-options.ts';
import { exportTranslationIds } from './translate-export.ts';

const { values: v } = parseArgs({
  strict: true,
  options: {
    model: { type: 'string' },
    out: { type: 'string' },
    corpus: { type: 'string', multiple: true },
    corpora: { type: 'string' },
    direction: { type: 'string' },
    seed: { type: 'string' },
    'max-length': { type: 'string' },
    'max-examples': { type: 'string' },
    'batch-tokens': { type: 'string' },
    'valid-limit': { type: 'string' },
    limit: { type: 'string' },
    'eval-max-examples': { type: 'string' },
  },
});
if (!v.model || !v.out) {
  console.error('usage: bench/translate-ids.ts --model DIR --out DIR [data flags as parley train / parley eval]');
  process.exit(2);
}
try {
  const limit = positiveInt('limit', v.limit);
  const evalMaxExamples = positiveInt('eval-max-examples', v['eval-max-examples']);
  const summary = await exportTranslationIds({
    model: v.model,
    out: v.out,
    overrides: {
      ...(v.corpus ? { corpus: v.corpus } : {}),
      ...(v.corpora ? { corpora: v.corpora } : {}),
      ...(v.direction ? { direction: v.direction } : {}),
      ...(v.seed ? { seed: v.seed } : {}),
      ...(v['max-length'] ? { maxLength: v['max-length'] } : {}),
      ...(v['max-examples'] ? { maxExamples: v['max-examples'] } : {}),
      ...(v['batch-tokens'] ? { batchTokens: v['batch-tokens'] } : {}),
      ...(v['valid-limit'] ? { validLimit: v['valid-limit'] } : {}),
    },
    ...(limit === undefined ? {} : { limit }),
    ...(evalMaxExamples === undefined ? {} : { evalMaxExamples }),
  });
  console.log(JSON.stringify({ out: v.out, ...summary }));
} catch (e) {
  console.error(`translate-ids: ${(e as Error).message}`);
  process.exit((e as Error).name === 'UsageError' ? 2 : 1);
}
