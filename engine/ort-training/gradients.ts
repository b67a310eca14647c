// Reverse-mode differentiation over a TensorGraph: one vector–Jacobian product rule per recorded op,
// emitted as more ONNX nodes into the same graph, so forward and backward run in one session.run.
// Adjoints of a value used several times are summed; broadcast operands get their adjoint summed back
// to their own shape.
import { ELEM, type Dim } from '../onnx/graph.ts';
import type { Recorded, TensorGraph, Value } from './tensor-graph.ts';

/** Zeros shaped like `like`, of its type (ConstantOfShape: Expand of a scalar measured 10× slower). */
export function zerosLike(tg: TensorGraph, like: Value): Value {
  const zeros = tg.raw1('ConstantOfShape', [tg.shapeOf(like)], {}, [...like.shape], 'float32'); // default value: float32 0
  return like.type === 'float32' ? zeros : tg.raw1('Cast', [zeros], { to: ELEM[like.type] }, [...like.shape], like.type);
}

/** Sum `dy` over the axes along which `target` was broadcast, giving target's shape. */
export function sumTo(tg: TensorGraph, dy: Value, target: Value): Value {
  const from = dy.shape;
  const to = target.shape;
  if (from.length === to.length && from.every((d, k) => d === to[k])) return dy;
  const lead = from.length - to.length;
  const axes: number[] = [];
  from.forEach((d, k) => {
    if (k < lead || (to[k - lead] === 1 && d !== 1)) axes.push(k);
  });
  const summed = axes.length ? tg.raw1('ReduceSum', [dy, tg.int64s(axes)], { keepdims: 1 }, from.map((d, k) => (axes.includes(k) ? 1 : d)), dy.type) : dy;
  return lead ? tg.raw1('Reshape', [summed, tg.shapeOf(target)], {}, [...to], dy.type) : summed;
}

/** x [.., m, k] with its last two axes swapped (batched MatMul adjoints). */
function swapLast(tg: TensorGraph, x: Value): Value {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tg.raw1('Transpose', [x], { perm }, perm.map((p) => x.shape[p]!), x.type);
}

function gemm(tg: TensorGraph, a: Value, b: Value, o: { transA: boolean; transB: boolean }): Value {
  const m = o.transA ? a.shape[1]! : a.shape[0]!;
  const n = o.transB ? b.shape[0]! : b.shape[1]!;
  return tg.raw1('Gemm', [a, b], { transA: o.transA ? 1 : 0, transB: o.transB ? 1 : 0 }, [m, n], a.type);
}

function flatten2(tg: TensorGraph, x: Value): Value {
  const last = x.shape[x.shape.length - 1]!;
  const lead = x.shape.slice(0, -1);
  const rows = lead.every((d) => typeof d === 'number') ? (lead as number[]).reduce((p, q) => p * q, 1) : lead.length === 1 ? lead[0]! : lead.join('*');
  return tg.raw1('Reshape', [x, tg.int64s([-1, typeof last === 'number' ? last : -1])], {}, [rows, last], x.type);
}

function reshapeLike(tg: TensorGraph, x: Value, like: Value): Value {
  return tg.raw1('Reshape', [x, tg.shapeOf(like)], {}, [...like.shape], x.type);
}

function matmulGrads(tg: TensorGraph, a: Value, b: Value, dy: Value, needs: boolean[]): (Value | null)[] {
  if (b.shape.length === 2) {
    if (a.shape.length === 2) {
      return [needs[0] ? gemm(tg, dy, b, { transA: false, transB: true }) : null, needs[1] ? gemm(tg, a, dy, { transA: true, transB: false }) : null];
    }
    // a [..., m, k] · b [k, n]: one [M, k] × [k, n] product
    const dy2 = flatten2(tg, dy);
    return [
      needs[0] ? reshapeLike(tg, gemm(tg, dy2, b, { transA: false, transB: true }), a) : null,
      needs[1] ? gemm(tg, flatten2(tg, a), dy2, { transA: true, transB: false }) : null,
    ];
  }
  const da = needs[0] ? tg.raw1('MatMul', [dy, swapLast(tg, b)], {}, [...dy.shape.slice(0, -1), a.shape[a.shape.length - 1]!], a.type) : null;
  const db = needs[1] ? tg.raw1('MatMul', [swapLast(tg, a), dy], {}, [...dy.shape.slice(0, -2), b.shape[b.shape.length - 2]!, dy.shape[dy.shape.length - 1]!], b.type) : null;
  return [da && sumTo(tg, da, a), db && sumTo(tg, db, b)];
}

/** dy with the reduced axes put back as 1s, broadcast to x's shape. */
function expandReduced(tg: TensorGraph, dy: Value, x: Value, r: Recorded): Value {
  const axes = r.attrs.axes as number[];
  const kept = r.attrs.keepdims === 1 ? dy : tg.raw1('Unsqueeze', [dy, tg.int64s(axes)], {}, x.shape.map((d, k) => (axes.includes(k) ? 1 : d)), dy.type);
  return tg.raw1('Expand', [kept, tg.shapeOf(x)], {}, [...x.shape], dy.type);
}

/** `needs[i]`: whether input i wants its adjoint (rules with costly adjoints skip the others). */
type Rule = (tg: TensorGraph, r: Recorded, dys: (Value | null)[], needs: boolean[]) => (Value | null)[];

const neg = (tg: TensorGraph, x: Value) => tg.unary('Neg', x);
const one = (tg: TensorGraph) => tg.constant(1);

const RULES: Record<string, Rule> = {
  Add: (tg, { inputs: [a, b] }, [dy], needs) => [needs[0] ? sumTo(tg, dy!, a!) : null, needs[1] ? sumTo(tg, dy!, b!) : null],
  Sub: (tg, { inputs: [a, b] }, [dy]) => [sumTo(tg, dy!, a!), sumTo(tg, neg(tg, dy!), b!)],
  Mul: (tg, { inputs: [a, b] }, [dy]) => [sumTo(tg, tg.mul(dy!, b!), a!), sumTo(tg, tg.mul(dy!, a!), b!)],
  Div: (tg, { inputs: [a, b], outputs: [y] }, [dy]) => {
    const da = tg.div(dy!, b!);
    return [sumTo(tg, da, a!), sumTo(tg, neg(tg, tg.mul(da, y!)), b!)];
  },
  Max: (tg, { inputs: [a, b] }, [dy]) => {
    const aWins = tg.raw1('GreaterOrEqual', [a!, b!], {}, [...dy!.shape], 'bool');
    const zero = tg.constant(0);
    return [sumTo(tg, tg.raw1('Where', [aWins, dy!, zero], {}, [...dy!.shape], dy!.type), a!), sumTo(tg, tg.raw1('Where', [aWins, zero, dy!], {}, [...dy!.shape], dy!.type), b!)];
  },
  Sigmoid: (tg, { outputs: [y] }, [dy]) => [tg.mul(dy!, tg.mul(y!, tg.sub(one(tg), y!)))],
  Tanh: (tg, { outputs: [y] }, [dy]) => [tg.mul(dy!, tg.sub(one(tg), tg.mul(y!, y!)))],
  Exp: (tg, { outputs: [y] }, [dy]) => [tg.mul(dy!, y!)],
  Log: (tg, { inputs: [x] }, [dy]) => [tg.div(dy!, x!)],
  Neg: (tg, _r, [dy]) => [neg(tg, dy!)],
  Sqrt: (tg, { outputs: [y] }, [dy]) => [tg.div(dy!, tg.mul(tg.constant(2), y!))],
  Where: (tg, { inputs: [a, b], aux: [cond] }, [dy]) => {
    const zero = tg.constant(0);
    const pick = (x: Value, y: Value) => tg.raw1('Where', [cond!, x, y], {}, [...dy!.shape], dy!.type);
    return [sumTo(tg, pick(dy!, zero), a!), sumTo(tg, pick(zero, dy!), b!)];
  },
  MatMul: (tg, { inputs: [a, b] }, [dy], needs) => matmulGrads(tg, a!, b!, dy!, needs),
  Gather: (tg, { inputs: [table], aux: [ids] }, [dy]) => {
    // The adjoint of a row lookup scatters each output row back onto its table row, summing repeats.
    const idx = tg.raw1('Unsqueeze', [tg.raw1('Cast', [ids!], { to: 7 }, [...ids!.shape], 'int64'), tg.int64s([-1])], {}, [...ids!.shape, 1], 'int64');
    return [tg.raw1('ScatterND', [zerosLike(tg, table!), idx, dy!], { reduction: 'add' }, [...table!.shape], dy!.type)];
  },
  GatherElements: (tg, { inputs: [x], aux: [idx], attrs }, [dy]) => [
    tg.raw1('ScatterElements', [zerosLike(tg, x!), idx!, dy!], { axis: attrs.axis as number, reduction: 'add' }, [...x!.shape], dy!.type),
  ],
  SoftmaxCrossEntropy: (tg, { inputs: [z], aux: [targets, invCount, logProbs], attrs }, [dy]) => {
    // (softmax − target distribution) · dy/count in three passes over [N, V]: exp, scale, scatter.
    const eps = attrs.eps as number;
    const shape = [...z!.shape];
    const s = tg.raw1('Mul', [dy!, invCount!], {}, [], z!.type);
    const scaled = tg.raw1('Mul', [tg.raw1('Exp', [logProbs!], {}, shape, z!.type), s], {}, shape, z!.type);
    const hit = tg.raw1('Expand', [tg.raw1('Mul', [s, tg.constant(-(1 - eps))], {}, [], z!.type), tg.shapeOf(targets!)], {}, [...targets!.shape], z!.type);
    const dz = tg.raw1('ScatterElements', [scaled, targets!, hit], { axis: 1, reduction: 'add' }, shape, z!.type);
    if (!eps) return [dz];
    return [tg.raw1('Sub', [dz, tg.raw1('Mul', [s, tg.constant(eps / (attrs.vocab as number))], {}, [], z!.type)], {}, shape, z!.type)];
  },
  Concat: (tg, { inputs, attrs }, [dy]) => {
    const axis = attrs.axis as number;
    const sizes = inputs.map((v) => v.shape[axis]);
    if (!sizes.every((s): s is number => typeof s === 'number')) throw new Error('Concat gradient needs static sizes on the joined axis');
    const parts = tg.raw('Split', [dy!, tg.int64s(sizes)], { axis }, inputs.map((v) => ({ shape: [...v.shape], type: dy!.type })));
    return parts;
  },
  Split: (tg, { inputs: [x], outputs, attrs }, dys) => {
    const parts = outputs.map((o, k) => dys[k] ?? zerosLike(tg, o));
    return [tg.raw1('Concat', parts, { axis: attrs.axis as number }, [...x!.shape], x!.type)];
  },
  Slice: (tg, { inputs: [x], attrs }, [dy]) => {
    const axis = attrs.axis as number;
    const size = x!.shape[axis];
    if (typeof size !== 'number') throw new Error('Slice gradient needs a static size on the sliced axis');
    const rank = x!.shape.length;
    const pads = new Array<number>(2 * rank).fill(0);
    pads[axis] = attrs.start as number;
    pads[rank + axis] = size - (attrs.end as number);
    return [tg.raw1('Pad', [dy!, tg.int64s(pads)], {}, [...x!.shape], dy!.type)];
  },
  Transpose: (tg, { attrs }, [dy]) => {
    const perm = attrs.perm as number[];
    const inverse = perm.map((_, k) => perm.indexOf(k));
    return [tg.raw1('Transpose', [dy!], { perm: inverse }, inverse.map((p) => dy!.shape[p]!), dy!.type)];
  },
  Reshape: (tg, { inputs: [x] }, [dy]) => [reshapeLike(tg, dy!, x!)],
  Softmax: (tg, { outputs: [y], attrs }, [dy]) => {
    const s = tg.reduceSum(tg.mul(dy!, y!), [attrs.axis as number], true);
    return [tg.mul(y!, tg.sub(dy!, s))];
  },
  LogSoftmax: (tg, { outputs: [y], attrs }, [dy]) => {
    const s = tg.reduceSum(dy!, [attrs.axis as number], true);
    return [tg.sub(dy!, tg.mul(tg.exp(y!), s))];
  },
  ReduceSum: (tg, r, [dy]) => [expandReduced(tg, dy!, r.inputs[0]!, r)],
  ReduceMax: (tg, r, [dy]) => {
    // Like tfjs: every position equal to the maximum receives the adjoint.
    const x = r.inputs[0]!;
    const y = r.attrs.keepdims === 1 ? r.outputs[0]! : tg.raw1('Unsqueeze', [r.outputs[0]!, tg.int64s(r.attrs.axes as number[])], {}, reducedKeep(x.shape, r), x.type);
    const hit = tg.raw1('Cast', [tg.raw1('Equal', [x, y], {}, [...x.shape], 'bool')], { to: x.type === 'float64' ? 11 : 1 }, [...x.shape], x.type);
    return [tg.mul(hit, expandReduced(tg, dy!, x, r))];
  },
};

function reducedKeep(shape: readonly Dim[], r: Recorded): Dim[] {
  const axes = r.attrs.axes as number[];
  return shape.map((d, k) => (axes.includes(k) ? 1 : d));
}

export const differentiableOps = Object.keys(RULES);

/**
 * Contributions to a parameter's adjoint held back until the end of the backward pass: a weight that
 * a recurrence multiplies at every step gets one [rows·steps]-deep Gemm instead of one small Gemm and
 * one Add per step, and a bias one ReduceSum over the stacked row adjoints.
 */
interface Deferred {
  products: { a: Value; dy: Value }[]; // Σ aᵀ·dy over 2-D rows
  rowSums: Value[]; // Σ over rows of 2-D [rows, n]
}

function flushDeferred(tg: TensorGraph, leaf: Value, d: Deferred): Value[] {
  const stack = (vs: Value[]) => (vs.length === 1 ? vs[0]! : tg.raw1('Concat', vs, { axis: 0 }, [tg.joinedDim(vs.map((v) => v.shape[0]!)), vs[0]!.shape[1]!], vs[0]!.type));
  const out: Value[] = [];
  if (d.products.length) out.push(gemm(tg, stack(d.products.map((p) => p.a)), stack(d.products.map((p) => p.dy)), { transA: true, transB: false }));
  if (d.rowSums.length) out.push(tg.raw1('ReduceSum', [stack(d.rowSums), tg.int64s([0])], { keepdims: 0 }, [...leaf.shape], leaf.type));
  return out;
}

/**
 * Stacking copies every held-back operand once: worth it for the many small per-step products of a
 * recurrence, not for large ones (attention's v sees [B·S, A] per step), which keep their own Gemm.
 */
const MAX_DEFERRED_ELEMENTS = 1 << 18;

const elements = (tg: TensorGraph, v: Value) => v.shape.reduce<number>((n, d) => n * (typeof d === 'number' ? d : tg.dimHints.get(d) ?? Infinity), 1);

/** Hold back a rank-2 weight's MatMul adjoint or a rank-1 bias' broadcast adjoint; false if not such a case. */
function defer(tg: TensorGraph, r: Recorded, dy: Value, leaves: Map<string, Deferred>): boolean[] {
  const held = r.inputs.map(() => false);
  const d = (v: Value) => leaves.get(v.id);
  if (r.op === 'MatMul') {
    const [a, b] = r.inputs as [Value, Value];
    if (d(b) && b.shape.length === 2 && a.shape.length >= 2 && elements(tg, a) <= MAX_DEFERRED_ELEMENTS) {
      d(b)!.products.push({ a: flatten2(tg, a), dy: flatten2(tg, dy) });
      held[1] = true;
    }
  } else if (r.op === 'Add') {
    r.inputs.forEach((v, i) => {
      if (d(v) && v.shape.length === 1 && dy.shape.length >= 2 && dy.shape[dy.shape.length - 1] === v.shape[0]) {
        d(v)!.rowSums.push(flatten2(tg, dy));
        held[i] = true;
      }
    });
  }
  return held;
}

/**
 * Adjoints of `wrt` for the scalar (or seeded) `loss`, as new nodes in `tg`. Only nodes on a path from
 * some `wrt` to `loss` get backward nodes; a `wrt` the loss does not depend on gets zeros.
 */
export function gradients(tg: TensorGraph, loss: Value, wrt: Value[], seed?: Value): Value[] {
  const recorded = tg.records.slice();
  const depends = new Set(wrt.map((v) => v.id));
  for (const r of recorded) if (r.inputs.some((v) => depends.has(v.id))) r.outputs.forEach((o) => depends.add(o.id));
  const adjoint = new Map<string, Value>([[loss.id, seed ?? tg.constant(1, loss.shape as number[])]]);
  const leaves = new Map(wrt.map((v) => [v.id, { products: [], rowSums: [] } as Deferred]));
  const accumulate = (v: Value, g: Value) => {
    const prev = adjoint.get(v.id);
    adjoint.set(v.id, prev ? tg.add(prev, g) : g);
  };
  for (let k = recorded.length - 1; k >= 0; k--) {
    const r = recorded[k]!;
    const dys = r.outputs.map((o) => adjoint.get(o.id) ?? null);
    if (dys.every((d) => d === null) || !r.inputs.some((v) => depends.has(v.id))) continue;
    const rule = RULES[r.op];
    if (!rule) throw new Error(`no gradient rule for ${r.op}`);
    const held = dys[0] ? defer(tg, r, dys[0], leaves) : r.inputs.map(() => false);
    if (held.every(Boolean)) continue;
    const dxs = rule(tg, r, dys, r.inputs.map((v, i) => depends.has(v.id) && !held[i]));
    r.inputs.forEach((v, i) => {
      const dx = dxs[i];
      if (dx && !held[i] && depends.has(v.id)) accumulate(v, dx);
    });
  }
  return wrt.map((v) => {
    const parts = [...(adjoint.has(v.id) ? [adjoint.get(v.id)!] : []), ...flushDeferred(tg, v, leaves.get(v.id)!)];
    if (parts.length === 0) return zerosLike(tg, v);
    return parts.reduce((x, y) => tg.raw1('Add', [x, y], {}, [...v.shape], v.type));
  });
}
