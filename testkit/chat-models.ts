// Tests and benchmarks only: a tiny forward chat model and its backward model p(message | reply) for
// MMI-bidi, written as model directories: the backward one memorises its swapped pairs, so its scores
// say which reply fits.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildTokenizer,
  encodeModelProto,
  encodePairs,
  makeBatch,
  modelConfig,
  Pipeline,
  saveModel,
  Seq2Seq,
  Tokenizer,
  Trainer,
  type TextPair,
} from '../engine/index.ts';

const colours = ['red', 'blue', 'green', 'pink', 'grey', 'gold', 'teal', 'navy'];
const animals = ['cat', 'dog', 'owl', 'fox', 'yak', 'emu', 'ant', 'bee'];

/** Message i is answered by reply i. */
export const mmiPairs: TextPair[] = colours.map((c, i) => ({ input: [`the ${c} one`], target: `${animals[i]} sits` }));

const swapped = (p: TextPair): TextPair => ({ input: [p.target], target: (p.input as string[]).at(-1)! });

export interface ChatModelSpec {
  pairs: TextPair[];
  steps: number;
  seed: number;
  /** nrm-global: a model without attention. */
  preset?: 'nrm-local' | 'nrm-global';
}

/** Trains a chat model on `pairs` for `steps` and writes it to `dir`; returns the final loss. */
export async function writeChatModel(dir: string, { pairs, steps, seed, preset = 'nrm-local' }: ChatModelSpec): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const proto = buildTokenizer(pairs, { task: 'chat', vocabSize: 300 });
  writeFileSync(path.join(dir, 'tokenizer.model'), encodeModelProto(proto));
  const tokenizer = await Tokenizer.load(path.join(dir, 'tokenizer.model'));
  const model = new Seq2Seq(modelConfig(preset, {
    vocabSize: tokenizer.vocabSize, embedding: 16, dropout: 0, seed,
    encoder: { hidden: 24 }, decoder: { hidden: 24 }, attention: { dim: 24 }, readout: { dim: 24 },
  }));
  const meta = { task: 'chat' as const, pipelineTask: 'chat' as const, tokenizer: 'tokenizer.model', contextTurns: 0 };
  const examples = encodePairs(new Pipeline(null, model, meta, tokenizer), pairs);
  const trainer = new Trainer(model, { learningRate: 0.02, clipNorm: 1 });
  let loss = Infinity;
  for (let step = 0; step < steps; step++) {
    const batch = makeBatch(examples, model.config.specials, model.config.reverseSource);
    loss = trainer.trainStep(batch).loss;
    batch.dispose();
  }
  trainer.dispose();
  await saveModel(dir, model, meta);
  model.dispose();
  return loss;
}

/**
 * `dir` holds a briefly trained forward chat model whose config.json names `dir/backward`, a backward
 * model trained to memorise the swapped pairs. Returns the backward model's final loss.
 */
export async function writeMmiModels(dir: string, options: { forwardSteps?: number; backwardSteps?: number } = {}): Promise<number> {
  await writeChatModel(dir, { pairs: mmiPairs, steps: options.forwardSteps ?? 20, seed: 7 });
  const loss = await writeChatModel(path.join(dir, 'backward'), { pairs: mmiPairs.map(swapped), steps: options.backwardSteps ?? 250, seed: 9 });
  nameBackward(dir, 'backward');
  return loss;
}

/** Sets (or with null, removes) the backward model a model directory's config.json names. */
export function nameBackward(dir: string, backward: unknown): void {
  const file = path.join(dir, 'config.json');
  const { backward: _old, ...config } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify(backward === null ? config : { ...config, backward }, null, 2));
}
