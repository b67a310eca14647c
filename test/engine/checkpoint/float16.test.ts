import { describe, expect, it } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fromFloat16, toFloat16 } from '../../../engine/checkpoint/float16.ts';
import { loadModel, saveModel } from '../../../engine/checkpoint/model-dir.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { makeBatch } from '../../../engine/training/batch.ts';
import { expectClose } from '../../helpers/close.ts';
import { tinyConfig } from '../../helpers/tiny.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('float16 conversion', () => {
  // Bit patterns from Python's struct.pack('<e', v), i.e. IEEE 754 binary16 with round-to-nearest-even.
  const cases: [number, number][] = [
    [0.1, 0x2e66], [1 / 3, 0x3555], [65504, 0x7bff], [-2.5, 0xc100], [1e-5, 0x00a8],
    [2 ** -24, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -25, 0x0002], [65520, 0x7c00], [-Infinity, 0xfc00],
  ];

  it.each(cases)('encodes %d as %i', (value, bits) => {
    expect(toFloat16(Float32Array.of(value))[0]).toBe(bits);
  });

  it('decodes what it encodes to within half an ulp, and keeps NaN', () => {
    const values = Float32Array.from([0, -0.75, 3.14159, 1234.5, -0.000123, 60000]);
    const back = fromFloat16(toFloat16(values));
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11));
    expect(Number.isNaN(fromFloat16(toFloat16(Float32Array.of(NaN)))[0])).toBe(true);
  });
});

describe('float16 model directories', () => {
  const root = tempDir();

  it('halve the weights file and give nearly the same logits', async () => {
    const model = new Seq2Seq(tinyConfig('rnnsearch', { hidden: 16 }));
    await saveModel(path.join(root, 'f32'), model);
    await saveModel(path.join(root, 'f16'), model, {}, 'float16');
    const size = (d: string) => statSync(path.join(root, d, readdirSync(path.join(root, d)).find((f) => f.endsWith('.bin'))!)).size;
    expect(size('f16') * 2).toBe(size('f32'));
    const batch = makeBatch([{ src: [4, 5, 6], tgt: [6, 5] }], model.config.specials, false);
    expectClose(loadModel(path.join(root, 'f16')).model.forward(batch, null).dataSync(), model.forward(batch, null).dataSync(), 1e-2, 1e-3);
  });
});
