// Masked cross-entropy: the mean over real target tokens of −log softmax(logits)[target]; padded
// positions carry weight 0. Optional label smoothing (Szegedy et al. 2016).
import * as tf from '@tensorflow/tfjs-core';

/** logits [N, V]; targets int32 [N]; weights float32 [N] (0 at padding) → scalar. */
export function maskedCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, weights: tf.Tensor, labelSmoothing = 0): tf.Scalar {
  const vocab = logits.shape[logits.shape.length - 1]!;
  const onehot = tf.oneHot(tf.reshape(targets, [-1]), vocab);
  return tf.losses.softmaxCrossEntropy(
    onehot,
    tf.reshape(logits, [-1, vocab]),
    tf.reshape(weights, [-1]),
    labelSmoothing,
    tf.Reduction.SUM_BY_NONZERO_WEIGHTS,
  ) as tf.Scalar;
}
