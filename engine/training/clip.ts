// Global-norm gradient clipping (Pascanu et al. 2013): scale all gradients by min(1, maxNorm / ‖g‖₂).
import * as tf from '@tensorflow/tfjs-core';

/** The global L2 norm of a set of gradients, and the factor that clips it to `maxNorm` (0 = off). */
export function clipScale(grads: Iterable<tf.Tensor>, maxNorm: number): { norm: number; scale: number } {
  const squares = tf.tidy(() => tf.addN([...grads].map((g) => tf.sum(tf.square(g)))));
  const norm = Math.sqrt(squares.dataSync()[0]!);
  squares.dispose();
  const scale = maxNorm > 0 && norm > maxNorm ? maxNorm / norm : 1;
  return { norm, scale };
}
