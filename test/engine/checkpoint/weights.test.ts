import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readWeights, writeWeights } from '../../../engine/checkpoint/weights.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('readWeights', () => {
  it('refuses a manifest with an unsupported entry without leaking the tensors read before it', async () => {
    const dir = tempDir('parley-weights');
    const a = tf.ones([2, 3]);
    const b = tf.zeros([4]);
    const manifest = await writeWeights(dir, 'weights', [['a', a], ['b', b]]);
    tf.dispose([a, b]);
    (manifest.weightsManifest[0].weights[1] as { dtype: string }).dtype = 'int32';
    const before = tf.memory().numTensors;
    expect(() => readWeights(dir, manifest, 'weights.json')).toThrow(/b has unsupported dtype int32/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
