// A small ONNX graph builder: nodes, initializers and typed inputs/outputs, serialised to ModelProto
// bytes with protobufjs' wire Writer (field numbers from onnx/onnx.proto, IR version 8, opset 17).
import protobuf from 'protobufjs/minimal.js';

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LEN = 2;
const IR_VERSION = 8;
export const OPSET = 17;

export type ElemType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';
export const ELEM: Record<ElemType, number> = { float32: 1, float64: 11, int32: 6, int64: 7, bool: 9 }; // onnx.TensorProto.DataType

/** Integer → INT, integer list → INTS, string → STRING, { float } → FLOAT. */
export type AttrValue = number | number[] | string | { float: number };

export type Dim = number | string;

interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

interface Initializer {
  name: string;
  type: ElemType;
  dims: number[];
  bytes: Uint8Array;
}

interface ValueInfo {
  name: string;
  type: ElemType;
  dims: Dim[];
}

const tag = (w: protobuf.Writer, field: number, wire: number) => w.uint32((field << 3) | wire);

export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly inits: Initializer[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private counter = 0;
  /** Node outputs renamed to graph output names; later references follow. */
  private readonly renamed = new Map<string, string>();

  constructor(readonly name: string) {}

  /** Nodes so far; node k is named `${op}_${k}` in the model (profilers report these names). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push({ name, type, dims });
    return name;
  }

  /**
   * Mark `value` as a graph output called `name`. A node's output is renamed in place (an Identity node
   * per output costs a dispatch on every run); a graph input, or a value already exposed, gets an Identity.
   */
  output(value: string, name: string, type: ElemType, dims: Dim[]): void {
    const current = this.renamed.get(value) ?? value;
    const producer = this.nodes.find((n) => n.outputs.includes(current));
    if (current !== name && producer && !this.renamed.has(value)) {
      for (const n of this.nodes) {
        n.inputs = n.inputs.map((i) => (i === current ? name : i));
        n.outputs = n.outputs.map((o) => (o === current ? name : o));
      }
      this.renamed.set(value, name);
    } else if (current !== name) {
      this.nodes.push({ op: 'Identity', inputs: [current], outputs: [name], attrs: {} });
    }
    this.outputs.push({ name, type, dims });
  }

  floats(name: string, data: Float32Array, dims: number[]): string {
    const n = `${name}_${this.counter++}`;
    this.inits.push({ name: n, type: 'float32', dims, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return n;
  }

  /** An initializer of any element type (dims [] for a scalar). */
  constant(name: string, type: ElemType, data: Float32Array | Float64Array | Int32Array | BigInt64Array, dims: number[]): string {
    const n = `${name}_${this.counter++}`;
    this.inits.push({ name: n, type, dims, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return n;
  }

  int64s(values: number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    const n = `i64_${this.counter++}`;
    this.inits.push({ name: n, type: 'int64', dims: [values.length], bytes: new Uint8Array(data.buffer) });
    return n;
  }

  /** Add a node; returns its output names (`outputs` of them, or the names given). */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: number | string[] = 1): string[] {
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, k) => `${op.toLowerCase()}_${this.counter++}_${k}`) : outputs;
    this.nodes.push({ op, inputs: inputs.map((i) => this.renamed.get(i) ?? i), outputs: names, attrs });
    return names;
  }

  /** A single-output node. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(op, inputs, attrs)[0]!;
  }

  toBytes(): Uint8Array {
    const w = protobuf.Writer.create();
    tag(w, 1, WIRE_VARINT).int64(IR_VERSION); // ModelProto.ir_version
    tag(w, 2, WIRE_LEN).string('parley'); // producer_name
    tag(w, 7, WIRE_LEN).fork(); // graph
    this.nodes.forEach((n, k) => writeNode(w, n, `${n.op}_${k}`));
    tag(w, 2, WIRE_LEN).string(this.name); // GraphProto.name
    for (const t of this.inits) writeTensor(w, t);
    for (const v of this.inputs) writeValueInfo(w, 11, v);
    for (const v of this.outputs) writeValueInfo(w, 12, v);
    w.ldelim();
    tag(w, 8, WIRE_LEN).fork(); // opset_import
    tag(w, 1, WIRE_LEN).string('');
    tag(w, 2, WIRE_VARINT).int64(OPSET);
    w.ldelim();
    return w.finish();
  }
}

function writeNode(w: protobuf.Writer, n: NodeSpec, name: string): void {
  tag(w, 1, WIRE_LEN).fork(); // GraphProto.node
  for (const i of n.inputs) tag(w, 1, WIRE_LEN).string(i);
  for (const o of n.outputs) tag(w, 2, WIRE_LEN).string(o);
  tag(w, 3, WIRE_LEN).string(name);
  tag(w, 4, WIRE_LEN).string(n.op);
  for (const [key, value] of Object.entries(n.attrs)) writeAttribute(w, key, value);
  w.ldelim();
}

function writeAttribute(w: protobuf.Writer, name: string, value: AttrValue): void {
  tag(w, 5, WIRE_LEN).fork(); // NodeProto.attribute
  tag(w, 1, WIRE_LEN).string(name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer (use { float })`);
    tag(w, 3, WIRE_VARINT).int64(value);
    tag(w, 20, WIRE_VARINT).int32(2); // INT
  } else if (typeof value === 'string') {
    tag(w, 4, WIRE_LEN).bytes(new TextEncoder().encode(value));
    tag(w, 20, WIRE_VARINT).int32(3); // STRING
  } else if (Array.isArray(value)) {
    for (const v of value) tag(w, 8, WIRE_VARINT).int64(v);
    tag(w, 20, WIRE_VARINT).int32(7); // INTS
  } else {
    tag(w, 2, WIRE_FIXED32).float(value.float);
    tag(w, 20, WIRE_VARINT).int32(1); // FLOAT
  }
  w.ldelim();
}

function writeTensor(w: protobuf.Writer, t: Initializer): void {
  tag(w, 5, WIRE_LEN).fork(); // GraphProto.initializer: TensorProto
  for (const d of t.dims) tag(w, 1, WIRE_VARINT).int64(d);
  tag(w, 2, WIRE_VARINT).int32(ELEM[t.type]);
  tag(w, 8, WIRE_LEN).string(t.name);
  tag(w, 9, WIRE_LEN).bytes(t.bytes); // raw_data, little-endian
  w.ldelim();
}

function writeValueInfo(w: protobuf.Writer, field: number, v: ValueInfo): void {
  tag(w, field, WIRE_LEN).fork();
  tag(w, 1, WIRE_LEN).string(v.name);
  tag(w, 2, WIRE_LEN).fork(); // TypeProto
  tag(w, 1, WIRE_LEN).fork(); // tensor_type
  tag(w, 1, WIRE_VARINT).int32(ELEM[v.type]);
  tag(w, 2, WIRE_LEN).fork(); // TensorShapeProto
  for (const d of v.dims) {
    tag(w, 1, WIRE_LEN).fork();
    if (typeof d === 'number') tag(w, 1, WIRE_VARINT).int64(d);
    else tag(w, 2, WIRE_LEN).string(d);
    w.ldelim();
  }
  w.ldelim().ldelim().ldelim().ldelim();
}
