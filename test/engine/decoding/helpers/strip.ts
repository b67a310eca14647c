// Results without their timing, for comparing decodes run in different batches.
import type { DecodeResult } from '../../../../engine/decoding/index.ts';

export function withoutTiming(r: DecodeResult): Omit<DecodeResult, 'timing'> {
  const { timing: _timing, ...rest } = r;
  return rest;
}
