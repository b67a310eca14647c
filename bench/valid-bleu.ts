// How much a validation BLEU says: a model's greedy outputs on Tatoeba's valid split (MODEL, default
// models/translate-fr-en), BLEU of the first 200 pairs (what validation decoded before issue 14) and of
// 1,000 spread over the split, then the spread of corpus BLEU over 2,000 bootstrap resamples of n
// sentences. Prints one JSON object. Corpus from PARLEY_CORPORA.
import { corpusBleu, heldOutSample, initBackend, loadPipeline, Random, spaceTokens, spread, type TextPair } from '../engine/index.ts';
import { IssueLog } from '../corpora/index.ts';
import { loadTaskPairs } from '../cli/corpus-data.ts';

const GREEDY = { strategy: 'greedy', maxLength: 400, maxLengthRatio: 2 };

await initBackend({ quiet: true });
const model = process.env.MODEL ?? 'models/translate-fr-en';
const valid = await loadTaskPairs({ task: 'translate', corpora: ['tatoeba-fra-eng'], split: 'valid', contextTurns: 0, seed: 1, log: new IssueLog(10, undefined), ...(process.env.PARLEY_CORPORA ? { dir: process.env.PARLEY_CORPORA } : {}) });
const pipeline = await loadPipeline(model);

async function outputs(pairs: readonly TextPair[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i += 32) out.push(...(await pipeline.run(pairs.slice(i, i + 32).map((p) => p.input), GREEDY)).map((r) => r.output as string));
  return out;
}

const first = valid.slice(0, 200);
const firstBleu = corpusBleu((await outputs(first)).map(spaceTokens), first.map((p) => spaceTokens(p.target)));
const pairs = spread(heldOutSample(valid, 1000), 1000);
const hyp = (await outputs(pairs)).map(spaceTokens);
const ref = pairs.map((p) => spaceTokens(p.target));
const rng = new Random(7);
const bootstrap = [100, 200, 500, 1000].map((n) => {
  const scores = Array.from({ length: 2000 }, () => {
    const idx = Array.from({ length: n }, () => rng.int(pairs.length));
    return 100 * corpusBleu(idx.map((i) => hyp[i]!), idx.map((i) => ref[i]!)).bleu;
  });
  const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
  return { sentences: n, mean, sd: Math.sqrt(scores.reduce((s, x) => s + (x - mean) ** 2, 0) / (scores.length - 1)) };
});
console.log(JSON.stringify({
  model,
  validPairs: valid.length,
  first200: { bleu: firstBleu.bleu, precisions: firstBleu.precisions, wordsPerReference: firstBleu.referenceLength / first.length },
  spread1000: { bleu: corpusBleu(hyp, ref).bleu, wordsPerReference: ref.reduce((s, r) => s + r.length, 0) / ref.length },
  bootstrap,
}));
pipeline.dispose();
