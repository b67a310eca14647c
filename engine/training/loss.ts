// Masked cross-entropy: the mean over real target tokens of −log softmax(logits)[target]; padded
// positions carry weight 0. Optional label smoothing (Szegedy et al. 2016). Fused with a hand-written
// gradient: the vocabulary-wide work is one max, one exp-sum and (backward) one softmax − onehot.
import * as tf from '@tensorflow/tfjs-core';

/**
 * logits [N, V]; targets int32 [N]; weights float32 [N] (0 at padding) → scalar
 * Σ w_i·ℓ_i / #{w_i ≠ 0} (tfjs' SUM_BY_NONZERO_WEIGHTS), where with smoothing ε the target
 * distribution is (1 − ε)·onehot + ε/V:  ℓ_i = lse_i − (1 − ε)·z_{i,t_i} − (ε/V)·Σ_v z_{i,v}.
 */
export function maskedCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, weights: tf.Tensor, labelSmoothing = 0): tf.Scalar {
  const vocab = logits.shape[logits.shape.length - 1]!;
  const z = tf.reshape(logits, [-1, vocab]); // [N, V]
  const t = tf.reshape(targets, [-1]); // [N]
  const w = tf.reshape(weights, [-1]); // [N]
  const n = z.shape[0]!;
  if (t.shape[0] !== n || w.shape[0] !== n) {
    throw new Error(`maskedCrossEntropy: ${n} logit rows but ${t.shape[0]} targets and ${w.shape[0]} weights`);
  }
  const eps = labelSmoothing;
  const fused = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const m = tf.max(x, 1, true); // [N, 1]
    const lse = tf.add(tf.log(tf.sum(tf.exp(tf.sub(x, m)), 1, true)), m); // [N, 1]
    // The target logits, picked from the flat logits without a [N, V] one-hot.
    const flatIndex = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(vocab, 'int32')), tf.cast(t, 'int32'));
    const picked = tf.gather(tf.reshape(x, [-1]), flatIndex); // [N]
    let perRow = tf.sub(tf.reshape(lse, [n]), eps ? tf.mul(picked, 1 - eps) : picked); // [N]
    if (eps) perRow = tf.sub(perRow, tf.mul(tf.sum(x, 1), eps / vocab));
    const count = tf.sum(tf.cast(tf.notEqual(w, 0), 'float32'));
    // An all-padding batch gives 0, not NaN (count is clamped to 1).
    const scale = tf.div(w, tf.maximum(count, 1)); // [N]
    save([x, lse, scale]);
    return {
      value: tf.sum(tf.mul(perRow, scale)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, lses, scales] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const rowScale = tf.reshape(tf.mul(scales, dy), [n, 1]); // [N, 1]
        const softmax = tf.exp(tf.sub(xs, lses)); // [N, V]
        // [N, V]. int32 then cast: wasm's OneHot (tfjs 4.22) writes int32 bits whatever the dtype asked.
        const onehot = tf.cast(tf.oneHot(tf.cast(t, 'int32'), vocab), 'float32');
        const target = eps ? tf.add(tf.mul(onehot, 1 - eps), eps / vocab) : onehot;
        return tf.mul(tf.sub(softmax, target), rowScale);
      },
    };
  });
  return fused(z) as tf.Scalar;
}
