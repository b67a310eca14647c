import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

describe('toolchain', () => {
  it('runs tfjs on the cpu backend', async () => {
    await tf.setBackend('cpu');
    expect(tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).arraySync()).toEqual([[3, 3], [3, 3]]);
  });
});
