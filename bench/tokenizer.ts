// Times BPE tokenizer training on the whole Tatoeba fra-eng corpus (both sides, ~285k sentences) at
// vocabulary 8000, then encoding and decoding it; prints one JSON line. Corpus from PARLEY_CORPORA.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModelProto } from '../engine/tokenizer/model-proto.ts';
import { Tokenizer } from '../engine/tokenizer/subword.ts';
import { trainBpe } from '../engine/tokenizer/train-bpe.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpora = process.env.PARLEY_CORPORA ?? path.resolve(repoRoot, '../shared/corpora');
const vocabSize = Number(process.env.VOCAB_SIZE ?? 8000);
const file = path.join(corpora, 'translation/tatoeba-anki-fra-eng/fra.txt');
const sentences = readFileSync(file, 'utf8').split('\n').flatMap((line) => line.split('\t').slice(0, 2)).filter((s) => s !== '');

let started = performance.now();
const result = trainBpe(sentences, { vocabSize });
const trainSeconds = (performance.now() - started) / 1000;

const tokenizer = await Tokenizer.load(encodeModelProto(result.model), { name: 'bench' });
started = performance.now();
let tokens = 0;
let exact = 0;
for (const sentence of sentences) {
  const ids = tokenizer.encode(sentence);
  tokens += ids.length;
  if (tokenizer.decode(ids) === sentence) exact++;
}
const codecSeconds = (performance.now() - started) / 1000;

console.log(JSON.stringify({
  bench: 'tokenizer-bpe',
  corpus: 'tatoeba-anki-fra-eng',
  sentences: result.sentences,
  segments: result.segments,
  vocabSize: result.model.pieces.length,
  trainSeconds: Number(trainSeconds.toFixed(2)),
  tokensPerSentence: Number((tokens / sentences.length).toFixed(2)),
  encodeDecodeSeconds: Number(codecSeconds.toFixed(2)),
  exactRoundTrips: `${exact}/${sentences.length}`,
  heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
}));
