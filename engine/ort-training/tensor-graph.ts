// A typed layer over the ONNX GraphBuilder: every value carries its element type and shape (numbers, or
// names for the few dims only known at run time), and every differentiable node is recorded so that
// gradients.ts can walk the graph backwards. Shapes follow ONNX (numpy) broadcasting.
import { GraphBuilder, type Dim, type ElemType } from '../onnx/graph.ts';

export type FloatType = 'float32' | 'float64';

export interface Value {
  readonly id: string;
  readonly shape: readonly Dim[];
  readonly type: ElemType;
}

export type Attrs = Record<string, number | number[] | string | { float: number }>;

/** One differentiable node as gradients.ts sees it. */
export interface Recorded {
  op: string;
  inputs: Value[];
  outputs: Value[];
  attrs: Attrs;
  /** Inputs gradients do not flow into (Gather's ids, Where's condition). */
  aux: Value[];
}

export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** numpy broadcasting of two shapes; a named dim is assumed ≠ 1. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let k = 0; k < n; k++) {
    const x = a[a.length - n + k] ?? 1;
    const y = b[b.length - n + k] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else throw new ShapeError(`cannot broadcast [${a}] with [${b}]`);
  }
  return out;
}

const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

export class TensorGraph {
  readonly builder: GraphBuilder;
  readonly records: Recorded[] = [];
  /**
   * Typical sizes of named dims, for choices that weigh a value's size (gradients.ts' deferred weight
   * adjoints); the graph itself stays free in them. A named dim without a hint counts as unbounded.
   */
  readonly dimHints = new Map<string, number>();

  /** `declareShapes`: write every node output's shape into the model (value_info; see step-graph.ts). */
  constructor(name: string, readonly dtype: FloatType = 'float32', private readonly options: { declareShapes?: boolean } = {}) {
    this.builder = new GraphBuilder(name);
  }

  input(name: string, shape: Dim[], type: ElemType = this.dtype): Value {
    return { id: this.builder.input(name, type, shape), shape, type };
  }

  output(v: Value, name: string): void {
    this.builder.output(v.id, name, v.type, [...v.shape]);
  }

  /** A float constant of the graph's type (a scalar when `shape` is []). */
  constant(values: number | ArrayLike<number>, shape: number[] = []): Value {
    const data = typeof values === 'number' ? [values] : Array.from(values);
    const typed = this.dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data);
    return { id: this.builder.constant('c', this.dtype, typed, shape), shape, type: this.dtype };
  }

  int64s(values: number[]): Value {
    return { id: this.builder.int64s(values), shape: [values.length], type: 'int64' };
  }

  /** A node that gradients do not pass through (shape queries, casts, masks, the optimizer). */
  raw(op: string, inputs: (Value | null)[], attrs: Attrs, outputs: { shape: Dim[]; type: ElemType }[]): Value[] {
    const ids = this.builder.node(op, inputs.map((v) => v?.id ?? ''), attrs, outputs.length);
    if (this.options.declareShapes) ids.forEach((id, k) => this.builder.declare(id, outputs[k]!.type, outputs[k]!.shape));
    return ids.map((id, k) => ({ id, ...outputs[k]! }));
  }

  raw1(op: string, inputs: (Value | null)[], attrs: Attrs, shape: Dim[], type: ElemType): Value {
    return this.raw(op, inputs, attrs, [{ shape, type }])[0]!;
  }

  /** `extra` follow the differentiable inputs in the node; `aux` are remembered for the gradient rule. */
  /** `meta` is kept for the gradient rule only (attributes that opset 17 takes as inputs). */
  private rec(op: string, inputs: Value[], attrs: Attrs, outputs: { shape: Dim[]; type: ElemType }[], extra: Value[] = [], meta: Attrs = {}): Value[] {
    const outs = this.raw(op, [...inputs, ...extra], attrs, outputs);
    this.records.push({ op, inputs, outputs: outs, attrs: { ...attrs, ...meta }, aux: extra });
    return outs;
  }

  private rec1(op: string, inputs: Value[], attrs: Attrs, shape: Dim[], extra: Value[] = [], meta: Attrs = {}): Value {
    return this.rec(op, inputs, attrs, [{ shape, type: inputs[0]!.type }], extra, meta)[0]!;
  }

  shapeOf(v: Value): Value {
    return this.raw1('Shape', [v], {}, [v.shape.length], 'int64');
  }

  // Element-wise, broadcasting.
  add(a: Value, b: Value): Value {
    return this.rec1('Add', [a, b], {}, broadcastShapes(a.shape, b.shape));
  }
  sub(a: Value, b: Value): Value {
    return this.rec1('Sub', [a, b], {}, broadcastShapes(a.shape, b.shape));
  }
  mul(a: Value, b: Value): Value {
    return this.rec1('Mul', [a, b], {}, broadcastShapes(a.shape, b.shape));
  }
  div(a: Value, b: Value): Value {
    return this.rec1('Div', [a, b], {}, broadcastShapes(a.shape, b.shape));
  }
  max(a: Value, b: Value): Value {
    return this.rec1('Max', [a, b], {}, broadcastShapes(a.shape, b.shape));
  }
  unary(op: 'Sigmoid' | 'Tanh' | 'Exp' | 'Log' | 'Neg' | 'Sqrt', x: Value): Value {
    return this.rec1(op, [x], {}, [...x.shape]);
  }
  sigmoid = (x: Value) => this.unary('Sigmoid', x);
  tanh = (x: Value) => this.unary('Tanh', x);
  exp = (x: Value) => this.unary('Exp', x);
  log = (x: Value) => this.unary('Log', x);

  /** cond (bool) ? a : b. */
  where(cond: Value, a: Value, b: Value): Value {
    const shape = broadcastShapes(cond.shape, broadcastShapes(a.shape, b.shape));
    const out = this.raw1('Where', [cond, a, b], {}, shape, a.type);
    this.records.push({ op: 'Where', inputs: [a, b], outputs: [out], attrs: {}, aux: [cond] });
    return out;
  }

  /** matmul with numpy batch semantics for rank ≥ 2 operands. */
  matmul(a: Value, b: Value): Value {
    if (a.shape.length < 2 || b.shape.length < 2) throw new ShapeError(`matmul needs rank ≥ 2, got [${a.shape}] and [${b.shape}]`);
    const [m, k1] = a.shape.slice(-2);
    const [k2, n] = b.shape.slice(-2);
    if (k1 !== k2) throw new ShapeError(`matmul inner dims differ: [${a.shape}] × [${b.shape}]`);
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return this.rec1('MatMul', [a, b], {}, [...batch, m!, n!]);
  }

  /** Rows of a table: table [V, ...] gathered by integer ids of any shape. */
  gather(table: Value, ids: Value): Value {
    return this.rec1('Gather', [table], { axis: 0 }, [...ids.shape, ...table.shape.slice(1)], [ids]);
  }

  /** x's entries picked along `axis` by idx (int64, x's rank): out[i][j] = x[i][idx[i][j]] for axis 1. */
  gatherElements(x: Value, idx: Value, axis: number): Value {
    const a = normAxis(axis, x.shape.length);
    return this.rec1('GatherElements', [x], { axis: a }, [...idx.shape], [idx]);
  }

  /**
   * Σ_rows −[(1 − ε)·log softmax(z)[target] + (ε/V)·Σ_v log softmax(z)_v] · invCount, as one recorded op
   * whose adjoint is written out (softmax − smoothed one-hot) instead of chained through LogSoftmax.
   * z [N, V]; targets int64 [N, 1]; invCount a scalar.
   */
  softmaxCrossEntropy(z: Value, targets: Value, invCount: Value, eps: number): Value {
    const V = z.shape[1] as number;
    const t = z.type;
    const logProbs = this.raw1('LogSoftmax', [z], { axis: 1 }, [...z.shape], t);
    const picked = this.raw1('GatherElements', [logProbs, targets], { axis: 1 }, [...targets.shape], t);
    let total = this.raw1('Mul', [this.raw1('ReduceSum', [picked], { keepdims: 0 }, [], t), this.constant(-(1 - eps))], {}, [], t);
    if (eps) total = this.raw1('Sub', [total, this.raw1('Mul', [this.raw1('ReduceSum', [logProbs], { keepdims: 0 }, [], t), this.constant(eps / V)], {}, [], t)], {}, [], t);
    const loss = this.raw1('Mul', [total, invCount], {}, [], t);
    this.records.push({ op: 'SoftmaxCrossEntropy', inputs: [z], outputs: [loss], attrs: { eps, vocab: V }, aux: [targets, invCount, logProbs] });
    return loss;
  }

  /**
   * The size of dims joined end to end: their sum, or a name of its own when one is named. Names are
   * declared to ONNX Runtime (value_info), which takes values with the same name for the same size
   * and reuses one's buffer for the other, so two joins must never share a name.
   */
  joinedDim(sizes: readonly Dim[]): Dim {
    if (sizes.every((s) => typeof s === 'number')) return (sizes as number[]).reduce((x, y) => x + y, 0);
    return `joined_${this.joins++}`;
  }
  private joins = 0;

  concat(values: Value[], axis: number): Value {
    const a = normAxis(axis, values[0]!.shape.length);
    const shape = [...values[0]!.shape];
    const sizes = values.map((v) => v.shape[a]);
    shape[a] = this.joinedDim(sizes);
    return this.rec1('Concat', values, { axis: a }, shape);
  }

  split(x: Value, axis: number, sizes: number[]): Value[] {
    const a = normAxis(axis, x.shape.length);
    const outputs = sizes.map((s) => ({ shape: x.shape.map((d, k) => (k === a ? s : d)), type: x.type }));
    return this.rec('Split', [x], { axis: a }, outputs, [this.int64s(sizes)]);
  }

  /** x[..., start:end, ...] along one axis. */
  slice(x: Value, axis: number, start: number, end: number): Value {
    const a = normAxis(axis, x.shape.length);
    const shape = x.shape.map((d, k) => (k === a ? end - start : d));
    return this.rec1('Slice', [x], {}, shape, [this.int64s([start]), this.int64s([end]), this.int64s([a])], { axis: a, start, end });
  }

  transpose(x: Value, perm: number[]): Value {
    return this.rec1('Transpose', [x], { perm }, perm.map((p) => x.shape[p]!));
  }

  /** `shape` is the exact result shape; named dims become −1 (at most one) in the ONNX shape literal. */
  reshape(x: Value, shape: Dim[]): Value {
    if (shape.filter((d) => typeof d === 'string').length > 1) throw new ShapeError(`reshape to [${shape}]: at most one named dim`);
    const literal = shape.map((d) => (typeof d === 'number' ? d : -1));
    return this.rec1('Reshape', [x], {}, shape, [this.int64s(literal)]);
  }

  softmax(x: Value, axis = -1): Value {
    return this.rec1('Softmax', [x], { axis: normAxis(axis, x.shape.length) }, [...x.shape]);
  }
  logSoftmax(x: Value, axis = -1): Value {
    return this.rec1('LogSoftmax', [x], { axis: normAxis(axis, x.shape.length) }, [...x.shape]);
  }

  reduceSum(x: Value, axes: number[], keepdims = false): Value {
    const a = axes.map((k) => normAxis(k, x.shape.length));
    return this.rec1('ReduceSum', [x], { keepdims: keepdims ? 1 : 0 }, reducedShape(x.shape, a, keepdims), [this.int64s(a)], { axes: a });
  }

  reduceMax(x: Value, axes: number[], keepdims = false): Value {
    const a = axes.map((k) => normAxis(k, x.shape.length));
    return this.rec1('ReduceMax', [x], { axes: a, keepdims: keepdims ? 1 : 0 }, reducedShape(x.shape, a, keepdims));
  }
}

export function reducedShape(shape: readonly Dim[], axes: number[], keepdims: boolean): Dim[] {
  const out: Dim[] = [];
  shape.forEach((d, k) => {
    if (!axes.includes(k)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}
