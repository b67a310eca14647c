// Bytes of one-node ONNX MatMul / Gemm / element-wise models with symbolic dims, so one session serves every shape.
// A minimal encoder of the few onnx.proto fields needed (ModelProto, GraphProto, NodeProto,
// ValueInfoProto, TypeProto.Tensor, TensorShapeProto), written with protobufjs' wire Writer.
import protobuf from 'protobufjs/minimal.js';

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const ELEM_FLOAT = 1; // onnx.TensorProto.DataType.FLOAT
const IR_VERSION = 8;
const OPSET = 13;
const ATTR_INT = 2; // onnx.AttributeProto.AttributeType.INT

type Dim = number | string;

function tag(w: protobuf.Writer, field: number, wire: number): protobuf.Writer {
  return w.uint32((field << 3) | wire);
}

function writeValueInfo(w: protobuf.Writer, field: number, name: string, dims: Dim[]): void {
  tag(w, field, WIRE_LEN).fork();
  tag(w, 1, WIRE_LEN).string(name); // ValueInfoProto.name
  tag(w, 2, WIRE_LEN).fork(); // ValueInfoProto.type: TypeProto
  tag(w, 1, WIRE_LEN).fork(); // TypeProto.tensor_type
  tag(w, 1, WIRE_VARINT).int32(ELEM_FLOAT); // Tensor.elem_type
  tag(w, 2, WIRE_LEN).fork(); // Tensor.shape: TensorShapeProto
  for (const d of dims) {
    tag(w, 1, WIRE_LEN).fork(); // TensorShapeProto.dim
    if (typeof d === 'number') tag(w, 1, WIRE_VARINT).int64(d); // dim_value
    else tag(w, 2, WIRE_LEN).string(d); // dim_param
    w.ldelim();
  }
  w.ldelim().ldelim().ldelim().ldelim();
}

function writeIntAttribute(w: protobuf.Writer, name: string, value: number): void {
  tag(w, 5, WIRE_LEN).fork(); // NodeProto.attribute: AttributeProto
  tag(w, 1, WIRE_LEN).string(name); // AttributeProto.name
  tag(w, 3, WIRE_VARINT).int64(value); // AttributeProto.i
  tag(w, 20, WIRE_VARINT).int32(ATTR_INT); // AttributeProto.type
  w.ldelim();
}

interface NodeSpec {
  opType: 'MatMul' | 'Gemm';
  attributes: Record<string, number>;
  dims: { a: Dim[]; b: Dim[]; y: Dim[] };
}

function modelBytes(spec: NodeSpec, graphName: string): Uint8Array {
  const w = protobuf.Writer.create();
  tag(w, 1, WIRE_VARINT).int64(IR_VERSION); // ModelProto.ir_version
  tag(w, 2, WIRE_LEN).string('parley'); // ModelProto.producer_name
  tag(w, 7, WIRE_LEN).fork(); // ModelProto.graph
  tag(w, 1, WIRE_LEN).fork(); // GraphProto.node
  tag(w, 1, WIRE_LEN).string('A'); // NodeProto.input
  tag(w, 1, WIRE_LEN).string('B');
  tag(w, 2, WIRE_LEN).string('Y'); // NodeProto.output
  tag(w, 3, WIRE_LEN).string('op'); // NodeProto.name
  tag(w, 4, WIRE_LEN).string(spec.opType); // NodeProto.op_type
  for (const [name, value] of Object.entries(spec.attributes)) writeIntAttribute(w, name, value);
  w.ldelim();
  tag(w, 2, WIRE_LEN).string(graphName); // GraphProto.name
  writeValueInfo(w, 11, 'A', spec.dims.a); // GraphProto.input
  writeValueInfo(w, 11, 'B', spec.dims.b);
  writeValueInfo(w, 12, 'Y', spec.dims.y); // GraphProto.output
  w.ldelim();
  tag(w, 8, WIRE_LEN).fork(); // ModelProto.opset_import: OperatorSetIdProto
  tag(w, 1, WIRE_LEN).string(''); // domain: the default ONNX domain
  tag(w, 2, WIRE_VARINT).int64(OPSET); // version
  w.ldelim();
  return w.finish();
}

/**
 * Y = Gemm(A, B) with transA / transB (no C): rank-2 products whose transposes MLAS folds into its
 * packing, so the gradients dx = dy·Wᵀ and dW = xᵀ·dy need no separate transpose.
 */
export function gemmModelBytes(transA: boolean, transB: boolean): Uint8Array {
  const dims = { a: transA ? ['k', 'm'] : ['m', 'k'], b: transB ? ['n', 'k'] : ['k', 'n'], y: ['m', 'n'] };
  return modelBytes({ opType: 'Gemm', attributes: { transA: +transA, transB: +transB }, dims }, `gemm_${+transA}${+transB}`);
}

/**
 * Y = MatMul(A, B) for float32 inputs of the given rank (2 or 3). Rank 3 uses separate symbolic batch
 * dims for A and B so ONNX's numpy broadcasting covers a batch of 1 against a batch of n.
 */
export function matMulModelBytes(rank: 2 | 3): Uint8Array {
  const aDims: Dim[] = rank === 2 ? ['m', 'k'] : ['ba', 'm', 'k'];
  const bDims: Dim[] = rank === 2 ? ['k', 'n'] : ['bb', 'k', 'n'];
  const yDims: Dim[] = rank === 2 ? ['m', 'n'] : ['by', 'm', 'n'];
  return modelBytes({ opType: 'MatMul', attributes: {}, dims: { a: aDims, b: bDims, y: yDims } }, `matmul_rank${rank}`);
}

export type UnaryOp = 'Tanh' | 'Exp' | 'Sigmoid';

/** Y = op(X) element-wise for a float32 vector of any length (callers pass the flattened tensor). */
export function unaryModelBytes(op: UnaryOp): Uint8Array {
  const w = protobuf.Writer.create();
  tag(w, 1, WIRE_VARINT).int64(IR_VERSION); // ModelProto.ir_version
  tag(w, 2, WIRE_LEN).string('parley'); // ModelProto.producer_name
  tag(w, 7, WIRE_LEN).fork(); // ModelProto.graph
  tag(w, 1, WIRE_LEN).fork(); // GraphProto.node
  tag(w, 1, WIRE_LEN).string('X'); // NodeProto.input
  tag(w, 2, WIRE_LEN).string('Y'); // NodeProto.output
  tag(w, 3, WIRE_LEN).string('op'); // NodeProto.name
  tag(w, 4, WIRE_LEN).string(op); // NodeProto.op_type
  w.ldelim();
  tag(w, 2, WIRE_LEN).string(`unary_${op}`); // GraphProto.name
  writeValueInfo(w, 11, 'X', ['n']); // GraphProto.input
  writeValueInfo(w, 12, 'Y', ['n']); // GraphProto.output
  w.ldelim();
  tag(w, 8, WIRE_LEN).fork(); // ModelProto.opset_import
  tag(w, 1, WIRE_LEN).string('');
  tag(w, 2, WIRE_VARINT).int64(OPSET);
  w.ldelim();
  return w.finish();
}
