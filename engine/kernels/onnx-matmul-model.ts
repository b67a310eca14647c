// Bytes of one-node ONNX MatMul / Gemm / element-wise models with symbolic dims, so one session serves every
// shape; built by the same GraphBuilder (and onnx.proto encoder) as the exported and training graphs.
import { GraphBuilder, type AttrValue, type Dim } from '../onnx/graph.ts';

const OPSET = 13;

interface OneNodeSpec {
  graph: string;
  op: string;
  attrs?: Record<string, AttrValue>;
  inputs: Record<string, Dim[]>;
  output: Dim[];
}

/** float32 inputs and output Y of a graph with a single node. */
function oneNodeModel(spec: OneNodeSpec): Uint8Array {
  const g = new GraphBuilder(spec.graph, OPSET);
  for (const [name, dims] of Object.entries(spec.inputs)) g.input(name, 'float32', dims);
  g.node(spec.op, Object.keys(spec.inputs), spec.attrs, ['Y']);
  g.output('Y', 'Y', 'float32', spec.output);
  return g.toBytes();
}

/**
 * Y = Gemm(A, B) with transA / transB (no C): rank-2 products whose transposes MLAS folds into its
 * packing, so the gradients dx = dy·Wᵀ and dW = xᵀ·dy need no separate transpose.
 */
export function gemmModelBytes(transA: boolean, transB: boolean): Uint8Array {
  return oneNodeModel({
    graph: `gemm_${+transA}${+transB}`,
    op: 'Gemm',
    attrs: { transA: +transA, transB: +transB },
    inputs: { A: transA ? ['k', 'm'] : ['m', 'k'], B: transB ? ['n', 'k'] : ['k', 'n'] },
    output: ['m', 'n'],
  });
}

/**
 * Y = MatMul(A, B) for float32 inputs of the given rank (2 or 3). Rank 3 uses separate symbolic batch
 * dims for A and B so ONNX's numpy broadcasting covers a batch of 1 against a batch of n.
 */
export function matMulModelBytes(rank: 2 | 3): Uint8Array {
  return oneNodeModel({
    graph: `matmul_rank${rank}`,
    op: 'MatMul',
    inputs: rank === 2 ? { A: ['m', 'k'], B: ['k', 'n'] } : { A: ['ba', 'm', 'k'], B: ['bb', 'k', 'n'] },
    output: rank === 2 ? ['m', 'n'] : ['by', 'm', 'n'],
  });
}

export type UnaryOp = 'Tanh' | 'Exp' | 'Sigmoid';

/** Y = op(X) element-wise for a float32 vector of any length (callers pass the flattened tensor). */
export function unaryModelBytes(op: UnaryOp): Uint8Array {
  return oneNodeModel({ graph: `unary_${op}`, op, inputs: { X: ['n'] }, output: ['n'] });
}
