// Fused GRU gate kernels (PyTorch's equations, gate order r, z, n) for the cpu and wasm backends: one
// dispatch for the element-wise part of a step and one for its gradient, in place of ~15 forward and
// ~40 backward kernels. The matmuls stay outside (engine/cells/gru.ts). Loops run in JS on the
// backends' own memory (the wasm heap, the cpu backend's typed arrays).
import type * as tf from '@tensorflow/tfjs-core';
import { hostKernelsAvailable, registerHostKernel, withHostArrays, type KernelArgs } from './host-arrays.ts';

export const GRU_GATES = 'ParleyGruGates';
export const GRU_GATES_GRAD = 'ParleyGruGatesGrad';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * xProj, hProj [B, 3H] (input and recurrent projections, biases included), h [B, H] →
 * h' [B, H] and the gates [B, 3H] = (r, z, n) the gradient needs.
 */
function gruGates(args: KernelArgs): tf.TensorInfo[] {
  const [B, H3] = (args.inputs as { xProj: tf.TensorInfo }).xProj.shape as [number, number];
  const H = H3 / 3;
  return withHostArrays(args, { inputs: ['xProj', 'hProj', 'h'], outputs: [[B, H], [B, H3]] }, ([xp, hp, h], [hNext, gates]) => {
    for (let b = 0; b < B; b++) {
      const g = b * H3;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(xp[g + j]! + hp[g + j]!);
        const z = sigmoid(xp[g + H + j]! + hp[g + H + j]!);
        const n = Math.tanh(xp[g + 2 * H + j]! + r * hp[g + 2 * H + j]!);
        const hPrev = h[b * H + j]!;
        hNext![b * H + j] = n + z * (hPrev - n);
        gates![g + j] = r;
        gates![g + H + j] = z;
        gates![g + 2 * H + j] = n;
      }
    }
  });
}

/**
 * dh' [B, H], gates [B, 3H], h [B, H], hProj [B, 3H] → dxProj [B, 3H], dhProj [B, 3H] and the direct
 * part of dh [B, H] (the rest is dhProj · W_hhᵀ, a matmul the caller runs).
 */
function gruGatesGrad(args: KernelArgs): tf.TensorInfo[] {
  const [B, H3] = (args.inputs as { gates: tf.TensorInfo }).gates.shape as [number, number];
  const H = H3 / 3;
  return withHostArrays(args, { inputs: ['dh', 'gates', 'h', 'hProj'], outputs: [[B, H3], [B, H3], [B, H]] }, ([dy, gates, h, hp], [dx, dhp, dhDirect]) => {
    for (let b = 0; b < B; b++) {
      const g = b * H3;
      for (let j = 0; j < H; j++) {
        const r = gates![g + j]!;
        const z = gates![g + H + j]!;
        const n = gates![g + 2 * H + j]!;
        const d = dy![b * H + j]!;
        const dn = d * (1 - z) * (1 - n * n); // through tanh
        const dz = d * (h![b * H + j]! - n) * z * (1 - z);
        const dr = dn * hp![g + 2 * H + j]! * r * (1 - r);
        dx![g + j] = dr;
        dx![g + H + j] = dz;
        dx![g + 2 * H + j] = dn;
        dhp![g + j] = dr;
        dhp![g + H + j] = dz;
        dhp![g + 2 * H + j] = dn * r;
        dhDirect![b * H + j] = d * z;
      }
    }
  });
}

registerHostKernel(GRU_GATES, gruGates);
registerHostKernel(GRU_GATES_GRAD, gruGatesGrad);

/** Whether the active backend has the fused kernels (tfjs-node and webgl use the op-by-op cell). */
export const fusedGruAvailable = hostKernelsAvailable;
