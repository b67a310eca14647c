// Sentence embeddings from a model's own encoder (Palangi et al. 2015: an LSTM's last hidden state as the
// sentence's vector): the top encoder layer's final state h, the same encoder that conditions the reply.
import * as tf from '@tensorflow/tfjs-core';
import type { Seq2Seq } from '../models/seq2seq.ts';
import { prepareSources } from '../models/source.ts';

/**
 * Row-steps (rows × padded source length) one encoder batch may hold. The encoder keeps every step's
 * activations until its tidy ends: 256 multi-turn prompts of a 384×2 LSTM at once outgrew the 4 GiB
 * wasm heap (parley index aborted), so batches are cut by size as well as by rows.
 */
export const EMBED_BATCH_ROW_STEPS = 4096;

/** Index batches of similar length (sorted, so little padding), each within batchRows and the row-step budget. */
function lengthBatches(sources: readonly number[][], batchRows: number): number[][] {
  const order = sources.map((_, i) => i).sort((a, b) => sources[a]!.length - sources[b]!.length);
  const batches: number[][] = [];
  let batch: number[] = [];
  for (const i of order) {
    const steps = sources[i]!.length + 1; // EOS appended
    if (batch.length > 0 && (batch.length >= batchRows || (batch.length + 1) * steps > EMBED_BATCH_ROW_STEPS)) {
      batches.push(batch);
      batch = [];
    }
    batch.push(i);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** One vector per source (token ids, no BOS/EOS), in the order given: [n][dim]. */
export function embedSources(model: Seq2Seq, sources: readonly number[][], batchRows = 64): Float32Array[] {
  const out = new Array<Float32Array>(sources.length);
  for (const rows of lengthBatches(sources, batchRows)) {
    const p = prepareSources(rows.map((i) => sources[i]!), model.config.specials, model.config.reverseSource);
    const flat = tf.tidy(() => {
      const src = tf.tensor2d(p.ids, [rows.length, p.maxLength], 'int32');
      const enc = model.encoder.encode(model.srcEmbedding.lookup(src), p.lengths, null);
      return enc.finals[enc.finals.length - 1]!.h; // [B, H]
    });
    const values = flat.dataSync() as Float32Array;
    const dim = flat.shape[1]!;
    flat.dispose();
    rows.forEach((i, b) => (out[i] = values.slice(b * dim, (b + 1) * dim)));
  }
  return out;
}
