// How a source id sequence enters the encoder, shared by training batches and decoding so the two
// never disagree: optionally reversed (Sutskever et al. 2014), then EOS appended, so that every row
// has at least one real position, then padded to the longest row.
import type { SpecialIds } from '../decoding/step-model.ts';

export interface PreparedSources {
  ids: Int32Array; // [B * S], row-major
  lengths: number[];
  maxLength: number;
}

export function prepareSources(sources: number[][], specials: SpecialIds, reverse: boolean): PreparedSources {
  const rows = sources.map((s) => [...(reverse ? [...s].reverse() : s), specials.eos]);
  const maxLength = Math.max(1, ...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * maxLength).fill(specials.pad);
  rows.forEach((r, b) => ids.set(r, b * maxLength));
  return { ids, lengths: rows.map((r) => r.length), maxLength };
}

/**
 * With reversed sources, attention column j is source token len−2−j; put each row's columns back in
 * source order, in place (EOS stays last). `weights` is row-major [B, srcLen].
 */
export function unreverseColumns(weights: Float32Array, lengths: number[]): void {
  const width = weights.length / lengths.length;
  lengths.forEach((len, b) => weights.subarray(b * width, b * width + len - 1).reverse());
}
