// The teacher-forced validation pass must stay memory-bounded whatever the batch and vocabulary: whole
// batches of [rows, V] logits (4,000 padded tokens × 8,000 words) filled the 4 GiB wasm heap and aborted
// `parley train` after its last step. Peak bytes come from tf.profile, on the cpu backend.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { batchLossSum, measurePerplexity } from '../../../engine/pipeline/evaluate.ts';
import { Random } from '../../../engine/random.ts';
import { makeBatch, type Example } from '../../../engine/training/batch.ts';
import { tinyConfig } from '../../helpers/tiny.ts';

const vocab = 2000;
const rng = new Random(3);
const ids = (n: number) => Array.from({ length: n }, () => 4 + rng.int(vocab - 4));
// Ragged lengths, so the [B*T] rows hold padding that must not be scored (nor cost V-wide work).
const examples: Example[] = Array.from({ length: 12 }, (_, i) => ({ src: ids(5 + (i % 4)), tgt: ids(8 + 2 * i) }));

describe('teacher-forced perplexity under a memory bound', () => {
  const model = new Seq2Seq(tinyConfig('seq2seq-lstm', { vocabSize: vocab, hidden: 16 }));
  const batch = makeBatch(examples, model.config.specials, model.config.reverseSource);
  const [B, T] = batch.tgtIn.shape as [number, number];
  const fullLogitsBytes = B * T * vocab * 4;

  it('sums the same loss as the whole-batch forward, chunk size aside', () => {
    const whole = tf.tidy(() => model.loss(batch, null).dataSync()[0]!) * batch.targetTokens;
    for (const chunk of [vocab * 7, vocab * 64, 2 ** 22]) expect(batchLossSum(model, batch, chunk)).toBeCloseTo(whole, 2);
  });

  it('never holds a whole batch of logits, and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const chunk = vocab * 16; // 16 rows of logits at a time
    const profile = await tf.profile(() => {
      measurePerplexity({ model }, examples, 10_000, chunk);
    });
    expect(tf.memory().numTensors).toBe(before);
    // The readout of 16 rows and the loss's few [16, V] temporaries, plus the recurrent pass: under one
    // [B*T, V] logits tensor (the whole-batch pass held four of them at once).
    expect(profile.peakBytes - tf.memory().numBytes).toBeLessThan(fullLogitsBytes);
  });
});
