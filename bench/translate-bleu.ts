// Prints the corpus BLEU of PyTorch hypotheses (bench/torch/translate.py) on the exported test set, scored
// by Parley's own code (bench/translate-score.ts); one JSON line per file, bleu in [0, 1] as parley eval.
//   npx tsx bench/translate-bleu.ts --data DIR HYPOTHESES.jsonl...
import { parseArgs } from 'node:util';
import { scoreHypotheses } from './translate-score.ts';

const { values: v, positionals } = parseArgs({ strict: true, allowPositionals: true, options: { data: { type: 'string' } } });
if (!v.data || positionals.length === 0) {
  console.error('usage: bench/translate-bleu.ts --data DIR (a translate-ids --out) HYPOTHESES.jsonl...');
  process.exit(2);
}
try {
  for (const file of positionals) {
    const { bleu, precisions, brevityPenalty, hypothesisLength, referenceLength, sentences, samples } = await scoreHypotheses(v.data, file);
    console.log(JSON.stringify({ hypotheses: file, sentences, bleu, precisions, brevityPenalty, hypothesisLength, referenceLength, samples }));
  }
} catch (e) {
  console.error(`translate-bleu: ${(e as Error).message}`);
  process.exit(1);
}
