// Global-norm clipping (training/clip.ts) and Adam (training/adam.ts) as graph nodes after the backward
// pass, so that one session.run takes weights and moments in and gives the updated ones out.
import type { TensorGraph, Value } from './tensor-graph.ts';

export interface AdamGraphOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 0 = no clipping. */
  clipNorm: number;
}

/** ‖g‖₂ over all gradients, and the factor min(1, clipNorm/‖g‖) (1 when clipping is off). */
export function clipScale(tg: TensorGraph, grads: Value[], clipNorm: number): { norm: Value; scale: Value | null } {
  const squares = grads.map((g) => tg.raw1('ReduceSumSquare', [g], { keepdims: 0 }, [], g.type));
  const total = squares.length === 1 ? squares[0]! : tg.raw1('Sum', squares, {}, [], squares[0]!.type);
  const norm = tg.raw1('Sqrt', [total], {}, [], total.type);
  if (clipNorm <= 0) return { norm, scale: null };
  const scale = tg.raw1('Min', [tg.constant(1), tg.raw1('Div', [tg.constant(clipNorm), norm], {}, [], norm.type)], {}, [], norm.type);
  return { norm, scale };
}

/**
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − α·m/(√v + ε) with g already clipped and α the
 * bias-corrected step size (computed by the caller from the step number, as Adam.apply does).
 */
export function adamUpdate(
  tg: TensorGraph,
  o: { param: Value; grad: Value; m: Value; v: Value; alpha: Value; scale: Value | null; options: AdamGraphOptions },
): { param: Value; m: Value; v: Value } {
  const { beta1, beta2, epsilon } = o.options;
  const t = o.param.type;
  const shape = [...o.param.shape];
  const node = (op: string, inputs: Value[]) => tg.raw1(op, inputs, {}, shape, t);
  const g = o.scale ? node('Mul', [o.grad, o.scale]) : o.grad;
  const m = node('Add', [node('Mul', [o.m, tg.constant(beta1)]), node('Mul', [g, tg.constant(1 - beta1)])]);
  const v = node('Add', [node('Mul', [o.v, tg.constant(beta2)]), node('Mul', [node('Mul', [g, g]), tg.constant(1 - beta2)])]);
  const step = node('Div', [node('Mul', [m, o.alpha]), node('Add', [node('Sqrt', [v]), tg.constant(epsilon)])]);
  return { param: node('Sub', [o.param, step]), m, v };
}
