// A small ONNX graph builder: nodes, initializers and typed inputs/outputs, serialised to ModelProto
// bytes (IR version 8, opset 17 unless given) by the onnx.proto encoder in onnx-proto.ts.
import { AttributeType, DataType, encodeModel, type AttributeMessage, type NodeMessage, type ValueInfoMessage } from './onnx-proto.ts';

const IR_VERSION = 8;
export const OPSET = 17;

export type ElemType = keyof typeof DataType;
export const ELEM: Record<ElemType, number> = DataType;

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

export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly inits: Initializer[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly shapes: ValueInfo[] = [];
  private counter = 0;
  /** Node outputs renamed to graph output names; every reference follows. */
  private readonly renamed = new Map<string, string>();
  /** Names some node outputs. */
  private readonly produced = new Set<string>();

  /** `opset`: the default ONNX domain's operator set version the model imports. */
  constructor(
    readonly name: string,
    private readonly opset = OPSET,
  ) {}

  /** Nodes so far; node k is named `${op}_${k}` in the model (profilers report these names). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push({ name, type, dims });
    return name;
  }

  /**
   * Mark `value` as a graph output called `name`. A node's output is renamed (an Identity node per output
   * costs a dispatch on every run); a graph input, or a value already exposed, gets an Identity. Renames
   * are applied when the model is serialised: rewriting every node for each output was quadratic on the
   * training engine's step graphs (up to 40,000 nodes, three outputs per parameter).
   */
  output(value: string, name: string, type: ElemType, dims: Dim[]): void {
    const current = this.renamed.get(value) ?? value;
    if (current !== name && !this.renamed.has(value) && this.produced.has(value)) {
      // Values already renamed to `value` follow it to `name`.
      for (const [from, to] of this.renamed) if (to === value) this.renamed.set(from, name);
      this.renamed.set(value, name);
      this.produced.add(name);
    } else if (current !== name) {
      this.push({ op: 'Identity', inputs: [current], outputs: [name], attrs: {} });
    }
    this.outputs.push({ name, type, dims });
  }

  /**
   * Declare a node output's type and shape (ONNX value_info). ORT keeps a declared symbolic dim where its
   * own shape inference finds none (a shape computed at run time), which lets its allocation planner
   * match buffers by shape: without it, planning was quadratic in the node count (engine/ort-training).
   */
  declare(name: string, type: ElemType, dims: Dim[]): void {
    this.shapes.push({ name, type, dims });
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
    this.push({ op, inputs: [...inputs], outputs: names, attrs });
    return names;
  }

  private push(node: NodeSpec): void {
    this.nodes.push(node);
    for (const o of node.outputs) this.produced.add(o);
  }

  /** A single-output node. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(op, inputs, attrs)[0]!;
  }

  /** Declared shapes under their final names; graph outputs already carry theirs. */
  private declaredShapes(): ValueInfo[] {
    const outputs = new Set(this.outputs.map((o) => o.name));
    const out: ValueInfo[] = [];
    for (const v of this.shapes) {
      const name = this.renamed.get(v.name) ?? v.name;
      if (!outputs.has(name)) out.push(name === v.name ? v : { ...v, name });
    }
    return out;
  }

  toBytes(): Uint8Array {
    return encodeModel({
      irVersion: IR_VERSION,
      producerName: 'parley',
      graph: {
        node: this.nodes.map((n, k) => nodeMessage(n, `${n.op}_${k}`, this.renamed)),
        name: this.name,
        initializer: this.inits.map((t) => ({ dims: t.dims, dataType: ELEM[t.type], name: t.name, rawData: t.bytes })),
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
        ...(this.shapes.length > 0 ? { valueInfo: this.declaredShapes().map(valueInfo) } : {}),
      },
      opsetImport: [{ domain: '', version: this.opset }],
    });
  }
}

function nodeMessage(n: NodeSpec, name: string, renamed: ReadonlyMap<string, string>): NodeMessage {
  const final = (value: string) => renamed.get(value) ?? value;
  const message: NodeMessage = { input: n.inputs.map(final), output: n.outputs.map(final), name, opType: n.op };
  const names = Object.keys(n.attrs);
  if (names.length > 0) message.attribute = names.map((key) => attributeMessage(key, n.attrs[key]!));
  return message;
}

function attributeMessage(name: string, value: AttrValue): AttributeMessage {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer (use { float })`);
    return { name, i: value, type: AttributeType.INT };
  }
  if (typeof value === 'string') return { name, s: new TextEncoder().encode(value), type: AttributeType.STRING };
  if (Array.isArray(value)) return { name, ints: value, type: AttributeType.INTS };
  return { name, f: value.float, type: AttributeType.FLOAT };
}

function valueInfo(v: ValueInfo): ValueInfoMessage {
  const dim = v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: ELEM[v.type], shape: { dim } } } };
}
