// Times tokenizer training on the whole Tatoeba fra-eng corpus (both sides, ~285k sentences) at
// vocabulary 8000 (VOCAB_SIZE), BPE then unigram, and encode+decode of every sentence; prints one JSON
// line per model type. Corpus from PARLEY_CORPORA.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModelProto, Tokenizer, trainSubwordModel, type SubwordModelType } from '../engine/index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpora = process.env.PARLEY_CORPORA ?? path.resolve(repoRoot, '../shared/corpora');
const vocabSize = Number(process.env.VOCAB_SIZE ?? 8000);
const file = path.join(corpora, 'translation/tatoeba-anki-fra-eng/fra.txt');
const sentences = readFileSync(file, 'utf8').split('\n').flatMap((line) => line.split('\t').slice(0, 2)).filter((s) => s !== '');

for (const modelType of ['bpe', 'unigram'] as SubwordModelType[]) {
  let started = performance.now();
  const result = trainSubwordModel(sentences, { vocabSize, modelType });
  const trainSeconds = (performance.now() - started) / 1000;

  const tokenizer = await Tokenizer.load(encodeModelProto(result.model), { name: `bench-${modelType}` });
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
    bench: 'tokenizer-train',
    modelType,
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
}
