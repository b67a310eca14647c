// Dropout for the ONNX Runtime step: the masks (0 or 1/(1−p), inverted dropout as tf.dropout) are graph
// inputs drawn in JS from the trainer's seeded Random, in one fixed order, so the same RNG state gives
// the same step: a checkpoint that saves the state resumes exactly. The sites are those of the tfjs
// model (seq2seq.ts, rnn.ts, decoder.ts); the masks differ from tfjs' own draws.
import type { ModelConfig } from '../config.ts';
import type { Dim } from '../onnx/graph.ts';
import type { Random } from '../random.ts';
import type { BucketShape } from './step-graph.ts';

export interface DropoutSite {
  name: string;
  /** 'rows' is the number of real target tokens; 'batch' (dynamic-batch graphs) the batch's rows. */
  dims: Dim[];
}

/** Width of [s; c; e(y)] (Decoder.featureWidth). */
export function featureWidth(config: ModelConfig): number {
  const e = config.encoder;
  const width = e.hidden * (e.bidirectional ? 2 : 1);
  const context = (config.context === 'global' || config.context === 'hybrid' ? width : 0) + (config.context === 'local' || config.context === 'hybrid' ? width : 0);
  return config.decoder.hidden + context + config.embedding;
}

/** `bucket.batch` may be the graph's named batch dim; drawMasks is then given the batch's size. */
export function dropoutSites(config: ModelConfig, bucket: Omit<BucketShape, 'batch'> & { batch: Dim }): DropoutSite[] {
  if (config.dropout <= 0) return [];
  const { batch: B, srcLen: S, tgtLen: T } = bucket;
  const e = config.encoder;
  const width = e.hidden * (e.bidirectional ? 2 : 1);
  const stacks = config.context === 'hybrid' ? ['encoder_local', 'encoder_global'] : ['encoder'];
  const sites: DropoutSite[] = [{ name: 'drop/src_embedding', dims: [B, S, config.embedding] }];
  for (const stack of stacks) for (let l = 1; l < e.layers; l++) sites.push({ name: `drop/${stack}/l${l}`, dims: [B, S, width] });
  sites.push({ name: 'drop/tgt_embedding', dims: [B, T, config.embedding] });
  for (let l = 1; l < config.decoder.layers; l++) sites.push({ name: `drop/decoder/l${l}`, dims: [B, T, config.decoder.hidden] });
  sites.push({ name: 'drop/features', dims: ['rows', featureWidth(config)] });
  return sites;
}

/** One mask per site, in site order, drawn from `rng`; `sizes` gives the named dims ('rows', 'batch'). */
export function drawMasks(sites: DropoutSite[], sizes: Record<string, number>, p: number, rng: Random): { name: string; data: Float32Array; dims: number[] }[] {
  const keep = 1 / (1 - p);
  return sites.map((s) => {
    const dims = s.dims.map((d) => {
      if (typeof d === 'number') return d;
      const size = sizes[d];
      if (size === undefined) throw new Error(`drawMasks: no size for dim "${d}" of ${s.name}`);
      return size;
    });
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    rng.fillDropoutMask(data, p, keep);
    return { name: s.name, data, dims };
  });
}
