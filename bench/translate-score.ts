// Scores hypothesis ids on an exported test set (bench/translate-export.ts) with Parley's own corpus BLEU
// (engine/metrics/bleu.ts, NLTK's): each hypothesis detokenized by the export's tokenizer as `parley
// eval` detokenizes its own outputs, against the same references split on spaces.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TOKENIZER_FILE, TaskCodec, Tokenizer, corpusBleu, spaceTokens, type BleuResult } from '../engine/index.ts';

export interface TestRow {
  src: number[];
  source: string;
  reference: string;
}

export interface ScoreResult extends BleuResult {
  sentences: number;
  samples: { source: string; output: string; reference: string }[];
}

export function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l, i) => {
    try {
      return JSON.parse(l) as T;
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
    }
  });
}

/** Hypothesis ids from a JSONL file of {"ids": [...]}, one line per test row, in the test set's order. */
export function readHypotheses(file: string, vocabSize: number): number[][] {
  return readJsonl<{ ids?: unknown }>(file).map((h, i) => {
    const ids = h.ids;
    if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x) && x >= 0 && x < vocabSize)) {
      throw new Error(`${file}:${i + 1}: "ids" must be a list of token ids below ${vocabSize}`);
    }
    return ids as number[];
  });
}

export async function scoreHypotheses(dataDir: string, hypothesisFile: string, samples = 3): Promise<ScoreResult> {
  const tokenizer = await Tokenizer.load(path.join(dataDir, TOKENIZER_FILE));
  const codec = new TaskCodec({ task: 'translate', tokenizer });
  const test = readJsonl<TestRow>(path.join(dataDir, 'test.jsonl'));
  const hypotheses = readHypotheses(hypothesisFile, tokenizer.vocabSize);
  if (hypotheses.length !== test.length) throw new Error(`${hypothesisFile}: ${hypotheses.length} hypotheses for ${test.length} test sentences`);
  const outputs = hypotheses.map((ids, i) => codec.decodeOutput(ids, test[i]!.source) as string);
  const bleu = corpusBleu(outputs.map(spaceTokens), test.map((r) => spaceTokens(r.reference)));
  return { ...bleu, sentences: test.length, samples: test.slice(0, samples).map((r, i) => ({ source: r.source, output: outputs[i]!, reference: r.reference })) };
}
