// ONNX ModelProto bytes from plain objects and back, through protobufjs reflection over onnx.proto (the
// subset Parley writes, beside this file). Field names are the camelCase of the proto's (op_type → opType).
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** onnx.TensorProto.DataType values of the element types Parley uses. */
export const DataType = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 } as const;

/** onnx.AttributeProto.AttributeType values of the attribute kinds Parley writes. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
}

export interface NodeMessage {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute?: AttributeMessage[];
}

export interface TensorMessage {
  dims: number[];
  dataType: number;
  name: string;
  rawData: Uint8Array;
}

/** A dimension is a size (dimValue) or a symbolic name (dimParam) that means the same size wherever it appears. */
export type DimensionMessage = { dimValue: number } | { dimParam: string };

export interface ValueInfoMessage {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: DimensionMessage[] } } };
}

export interface GraphMessage {
  node: NodeMessage[];
  name: string;
  initializer: TensorMessage[];
  input: ValueInfoMessage[];
  output: ValueInfoMessage[];
  /** Shapes of intermediate values (ONNX's value_info). */
  valueInfo?: ValueInfoMessage[];
}

export interface ModelMessage {
  irVersion: number;
  producerName: string;
  graph: GraphMessage;
  opsetImport: { domain: string; version: number }[];
}

let modelType: protobuf.Type | undefined;

/** The onnx.ModelProto type, parsed from onnx.proto on first use. */
export function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.loadSync(fileURLToPath(new URL('./onnx.proto', import.meta.url))).lookupType('onnx.ModelProto');
  return modelType;
}

/**
 * Serialises a model. The message is encoded as given, without protobufjs' fromObject copy: the step
 * graphs of the ORT training engine reach 40,000 nodes and megabytes of initialisers.
 */
export function encodeModel(model: ModelMessage): Uint8Array {
  return onnxModelType().encode(model as unknown as protobuf.Message).finish();
}

/** Parses ModelProto bytes into plain objects (int64 as numbers, bytes as Uint8Array, absent lists empty). */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  const type = onnxModelType();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Uint8Array, arrays: true, oneofs: false }) as ModelMessage;
}
