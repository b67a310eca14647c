// Sentence embeddings from a model's own encoder (Palangi et al. 2015: an LSTM's last hidden state as the
// sentence's vector): the top encoder layer's final state h, the same encoder that conditions the reply.
import * as tf from '@tensorflow/tfjs-core';
import type { Seq2Seq } from '../models/seq2seq.ts';
import { prepareSources } from '../models/source.ts';

/** One vector per source (token ids, no BOS/EOS), in batches of `batchRows`: [n][dim]. */
export function embedSources(model: Seq2Seq, sources: readonly number[][], batchRows = 256): Float32Array[] {
  const out: Float32Array[] = [];
  for (let start = 0; start < sources.length; start += batchRows) {
    const batch = sources.slice(start, start + batchRows);
    const p = prepareSources(batch, model.config.specials, model.config.reverseSource);
    const flat = tf.tidy(() => {
      const src = tf.tensor2d(p.ids, [batch.length, p.maxLength], 'int32');
      const enc = model.encoder.encode(model.srcEmbedding.lookup(src), p.lengths, null);
      return enc.finals[enc.finals.length - 1]!.h; // [B, H]
    });
    const values = flat.dataSync() as Float32Array;
    const dim = flat.shape[1]!;
    flat.dispose();
    for (let b = 0; b < batch.length; b++) out.push(values.slice(b * dim, (b + 1) * dim));
  }
  return out;
}
