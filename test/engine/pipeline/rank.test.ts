import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../engine/backend.ts';
import { modelConfig } from '../../../engine/config.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { buildTokenizer, type TextPair } from '../../../engine/pipeline/build-tokenizer.ts';
import { encodePairs, measurePerplexity } from '../../../engine/pipeline/evaluate.ts';
import { Pipeline } from '../../../engine/pipeline/pipeline.ts';
import { contextGain, hitsAtOne, replyLogProbs } from '../../../engine/pipeline/rank.ts';
import { Random } from '../../../engine/random.ts';
import { encodeModelProto } from '../../../engine/tokenizer/model-proto.ts';
import { Tokenizer } from '../../../engine/tokenizer/subword.ts';
import { makeBatch } from '../../../engine/training/batch.ts';
import { Trainer } from '../../../engine/training/trainer.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const colours = ['red', 'blue', 'green', 'pink', 'grey', 'gold', 'teal', 'navy', 'lime', 'plum'];
const animals = ['cat', 'dog', 'owl', 'fox', 'yak', 'emu', 'ant', 'bee', 'cow', 'pig'];

async function chatPipeline(pairs: TextPair[], seed: number, contextTurns = 1): Promise<Pipeline> {
  const proto = buildTokenizer(pairs, { task: 'chat', vocabSize: 330 });
  const tokenizer = await Tokenizer.load(encodeModelProto(proto));
  const model = new Seq2Seq(modelConfig('nrm-local', {
    vocabSize: tokenizer.vocabSize, embedding: 24, dropout: 0, seed,
    encoder: { hidden: 32 }, decoder: { hidden: 32 }, attention: { dim: 32 }, readout: { dim: 32 },
  }));
  return new Pipeline(null, model, { task: 'chat', pipelineTask: 'chat', tokenizer: 'tokenizer.model', contextTurns }, tokenizer);
}

describe('hits@1 of 20', () => {
  it('is 1 for a model trained to memorise its 20 pairs, ranking each true reply above the 19 others', async () => {
    const pairs: TextPair[] = colours.flatMap((c, i) => [
      { input: [`the ${c} one`], target: `${animals[i]} sits` },
      { input: ['hello', `and ${c}`], target: `${animals[(i + 3) % 10]} runs ${animals[i]}` },
    ]);
    const p = await chatPipeline(pairs, 3);
    const examples = encodePairs(p, pairs);
    const trainer = new Trainer(p.model, { learningRate: 0.02, clipNorm: 1 });
    let loss = Infinity;
    for (let step = 0; step < 350; step++) {
      const batch = makeBatch(examples, p.config.specials, p.config.reverseSource);
      loss = trainer.trainStep(batch).loss;
      batch.dispose();
    }
    expect(loss).toBeLessThan(0.1); // memorised: the premise of the test
    trainer.dispose();
    const result = await hitsAtOne(p, pairs, pairs.map((_, i) => i), { candidates: 20 });
    expect(result).toEqual({ hits1: 1, candidates: 20, items: 20 });
    p.dispose();
  });

  it('is about 1/20 for an untrained model over many draws', async () => {
    const rng = new Random(5);
    const pairs: TextPair[] = Array.from({ length: 400 }, (_, i) => ({
      input: [`${rng.pick(colours)} ${rng.pick(animals)}`],
      target: `${rng.pick(animals)} ${rng.pick(colours)} ${i % 2 ? rng.pick(animals) : ''}`.trim(),
    }));
    const p = await chatPipeline(pairs, 11);
    const result = await hitsAtOne(p, pairs, pairs.map((_, i) => i), { candidates: 20, seed: 2 });
    expect(result.items).toBe(400);
    expect(result.hits1).toBeGreaterThan(0.02);
    expect(result.hits1).toBeLessThan(0.09);
    p.dispose();
  });

  it('scores replies by summed log-probability: their total over the tokens gives the teacher-forced perplexity', async () => {
    const pairs: TextPair[] = colours.map((c, i) => ({ input: ['hi', `a ${c} ${animals[i]}`], target: `${animals[9 - i]} ${c}` }));
    const p = await chatPipeline(pairs, 7);
    const scores = await replyLogProbs(p, pairs.map((q) => ({ input: q.input, reply: q.target })), 3);
    const tokens = encodePairs(p, pairs).reduce((n, e) => n + e.tgt.length + 1, 0);
    expect(Math.exp(-scores.reduce((a, b) => a + b, 0) / tokens)).toBeCloseTo(measurePerplexity(p, encodePairs(p, pairs)), 3);
    expect(scores.every((s) => s < 0)).toBe(true);
    await expect(hitsAtOne(p, pairs, [], {})).rejects.toThrow(/no items/);
    await expect(hitsAtOne(p, pairs, [0], { candidates: 20 })).rejects.toThrow(/10 distinct replies/);
    p.dispose();
  });
});

describe('context gain', () => {
  // The reply names the colour of the earlier turn; the message is the same in every pair.
  const pairs: TextPair[] = colours.map((c, i) => ({ input: [`the ${c} ${animals[i]}`, 'which was it'], target: c }));

  it('is large, for every item, when the reply can only be read from the earlier turn', async () => {
    const p = await chatPipeline(pairs, 4);
    const examples = encodePairs(p, pairs);
    const trainer = new Trainer(p.model, { learningRate: 0.02, clipNorm: 1 });
    let loss = Infinity;
    for (let step = 0; step < 500 && loss > 0.3; step++) {
      const batch = makeBatch(examples, p.config.specials, p.config.reverseSource);
      loss = trainer.trainStep(batch).loss;
      batch.dispose();
    }
    expect(loss).toBeLessThan(0.4); // learnt: the premise of the test
    trainer.dispose();
    const gain = await contextGain(p, pairs.map((q) => ({ turns: q.input as string[], reference: q.target })));
    expect(gain.items).toBe(10);
    expect(gain.helped).toBe(10);
    // Given the message alone the model can at best spread its mass over the ten colours: ln 10 ≈ 2.3
    // nats for the colour, about 1.15 a token with EOS, against under 0.4 with the earlier turn.
    expect(gain.natsPerToken).toBeGreaterThan(0.5);
    // Per token of the references, EOS counted: the mean teacher-forced log-probabilities' difference.
    const withTurns = encodePairs(p, pairs);
    const alone = encodePairs(p, pairs.map((q) => ({ input: [(q.input as string[]).at(-1)!], target: q.target })));
    const nats = Math.log(measurePerplexity(p, alone)) - Math.log(measurePerplexity(p, withTurns));
    expect(gain.natsPerToken).toBeCloseTo(nats, 4);
    p.dispose();
  });

  it('is exactly 0, helping no item, for a model that reads no earlier turns', async () => {
    const p = await chatPipeline(pairs, 4, 0);
    const gain = await contextGain(p, pairs.map((q) => ({ turns: q.input as string[], reference: q.target })));
    expect(gain).toEqual({ items: 10, helped: 0, natsPerToken: 0 });
    await expect(contextGain(p, [])).rejects.toThrow(/no items/);
    p.dispose();
  });
});
