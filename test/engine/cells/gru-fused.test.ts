import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../engine/backend.ts';
import { GruCell, setFusedGruEnabled } from '../../../engine/cells/gru.ts';
import { ParamStore } from '../../../engine/models/params.ts';
import { plain, relativeError, runOn } from '../kernels/compare-backends.ts';

// The GRU equations op by op (PyTorch's gate order r, z, n): the reference for the fused step.
function referenceStep(xProj: tf.Tensor, h: tf.Tensor, whh: tf.Tensor, bhh: tf.Tensor): tf.Tensor {
  const H = h.shape[1]!;
  const [xr, xz, xn] = tf.split(xProj, 3, 1);
  const [hr, hz, hn] = tf.split(tf.add(tf.matMul(h, whh), bhh), 3, 1);
  const r = tf.sigmoid(tf.add(xr!, hr!));
  const z = tf.sigmoid(tf.add(xz!, hz!));
  const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
  expect(n.shape[1]).toBe(H);
  return tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
}

describe('hand-written GRU step', () => {
  const [B, H] = [5, 7];
  const inputs = [plain([B, 3 * H], 1), plain([B, H], 2), plain([H, 3 * H], 3), plain([3 * H], 4), plain([B, H], 5)];

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    setFusedGruEnabled(true);
  });
  afterAll(() => setFusedGruEnabled(false));

  // Output and every gradient of Σ (h' ⊙ probe), so each output element gets a distinct weight.
  const outputAndGrads = (step: (x: tf.Tensor, h: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
    (x: tf.Tensor, h: tf.Tensor, w: tf.Tensor, b: tf.Tensor, probe: tf.Tensor) => {
      const f = (xs: tf.Tensor, hs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => tf.sum(tf.mul(step(xs, hs, ws, bs), probe));
      return [step(x, h, w, b), ...tf.grads(f)([x, h, w, b])];
    };

  it.each(['cpu', 'wasm'])('matches the op-by-op equations and their gradients on %s', (backend) => {
    const fused = runOn(backend, inputs, (x, h, w, b, probe) => {
      const cell = new GruCell(new ParamStore(1), 'gru', 3, H);
      cell.whh.assign(w!);
      cell.bhh.assign(b!);
      const f = (xs: tf.Tensor, hs: tf.Tensor) => tf.sum(tf.mul(cell.step(xs, { h: hs }).h, probe!));
      const { grads } = tf.variableGrads(() => f(x!, h!) as tf.Scalar, [cell.whh, cell.bhh]);
      return [cell.step(x!, { h: h! }).h, ...tf.grads(f)([x!, h!]), grads[cell.whh.name]!, grads[cell.bhh.name]!];
    });
    const reference = runOn(backend, inputs, outputAndGrads(referenceStep));
    expect(fused).toHaveLength(5);
    expect(tf.getBackend()).toBe(backend);
    fused.forEach((values, i) => expect(relativeError(values, reference[i]!), `output ${i}`).toBeLessThan(1e-5));
  });
});
