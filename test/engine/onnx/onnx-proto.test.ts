// The onnx.proto encoder: a small graph built with GraphBuilder decodes back, with the same schema, to the
// nodes, attributes, initialisers and shapes it was given, and onnxruntime runs it.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ELEM, GraphBuilder } from '../../../engine/onnx/graph.ts';
import { AttributeType, decodeModel, onnxModelType } from '../../../engine/onnx/onnx-proto.ts';

/** y = Gemm(x, w, transB=1, alpha=0.5) + b, z = ReduceSum(y, axes) over axis 1; a graph input also exposed as an output. */
function smallGraph(): GraphBuilder {
  const g = new GraphBuilder('small');
  const x = g.input('x', 'float32', ['batch', 3]);
  const w = g.floats('w', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
  const b = g.constant('b', 'float32', Float32Array.from([0.25, -0.25]), [2]);
  const axes = g.int64s([1]);
  const xw = g.op('Gemm', [x, w], { transB: 1, alpha: { float: 0.5 } });
  const y = g.op('Add', [xw, b]);
  g.node('ReduceSum', [y, axes], { keepdims: 0, noop_with_empty_axes: 0 }, ['summed']);
  g.op('Cast', [y], { to: ELEM.float64 });
  g.op('Pad', [y, g.int64s([0, 1, 0, 1])], { mode: 'constant' });
  g.op('Transpose', [y], { perm: [1, 0] });
  g.output(y, 'y', 'float32', ['batch', 2]);
  g.output('summed', 'z', 'float32', ['batch']);
  g.output(x, 'x_out', 'float32', ['batch', 3]);
  return g;
}

describe('ONNX model encoding', () => {
  it('decodes back to the nodes, attributes, initialisers and shapes given', () => {
    const model = decodeModel(smallGraph().toBytes());
    expect(model).toMatchObject({ irVersion: 8, producerName: 'parley', opsetImport: [{ domain: '', version: 17 }] });
    const graph = model.graph;
    expect(graph.name).toBe('small');
    expect(graph.node.map((n) => [n.name, n.opType, n.input, n.output])).toEqual([
      ['Gemm_0', 'Gemm', ['x', 'w_0'], ['gemm_3_0']],
      ['Add_1', 'Add', ['gemm_3_0', 'b_1'], ['y']],
      ['ReduceSum_2', 'ReduceSum', ['y', 'i64_2'], ['z']],
      ['Cast_3', 'Cast', ['y'], ['cast_5_0']],
      ['Pad_4', 'Pad', ['y', 'i64_6'], ['pad_7_0']],
      ['Transpose_5', 'Transpose', ['y'], ['transpose_8_0']],
      ['Identity_6', 'Identity', ['x'], ['x_out']],
    ]);
    const attributes = graph.node.map((n) => (n.attribute ?? []).map(({ name, type, i, f, s, ints }) => ({ name, type, i, f, s: s?.length ? new TextDecoder().decode(s) : undefined, ints: ints?.length ? ints : undefined })));
    expect(attributes[0]).toEqual([
      { name: 'transB', type: AttributeType.INT, i: 1, f: undefined, s: undefined, ints: undefined },
      { name: 'alpha', type: AttributeType.FLOAT, i: undefined, f: 0.5, s: undefined, ints: undefined },
    ]);
    expect(attributes[3]).toMatchObject([{ name: 'to', type: AttributeType.INT, i: 11 }]);
    expect(attributes[4]).toMatchObject([{ name: 'mode', type: AttributeType.STRING, s: 'constant' }]);
    expect(attributes[5]).toMatchObject([{ name: 'perm', type: AttributeType.INTS, ints: [1, 0] }]);
    expect(attributes[1]).toEqual([]);

    const tensors = graph.initializer.map((t) => ({ name: t.name, dims: t.dims, dataType: t.dataType, raw: Array.from(t.rawData) }));
    expect(tensors.map((t) => [t.name, t.dims, t.dataType])).toEqual([
      ['w_0', [2, 3], 1],
      ['b_1', [2], 1],
      ['i64_2', [1], 7],
      ['i64_6', [4], 7],
    ]);
    expect(Array.from(new Float32Array(Uint8Array.from(tensors[0]!.raw).buffer))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(new BigInt64Array(Uint8Array.from(tensors[3]!.raw).buffer))).toEqual([0n, 1n, 0n, 1n]);

    const shape = (v: (typeof graph.input)[number]) => [v.name, v.type.tensorType.elemType, v.type.tensorType.shape.dim.map((d) => ('dimParam' in d && d.dimParam ? d.dimParam : (d as { dimValue: number }).dimValue))];
    expect(graph.input.map(shape)).toEqual([['x', 1, ['batch', 3]]]);
    expect(graph.output.map(shape)).toEqual([
      ['y', 1, ['batch', 2]],
      ['z', 1, ['batch']],
      ['x_out', 1, ['batch', 3]],
    ]);
  });

  it('uses the DataType and AttributeType values of onnx.proto', () => {
    const root = onnxModelType().root;
    const dataType = root.lookupEnum('onnx.TensorProto.DataType').values;
    expect(ELEM).toEqual({ float32: dataType.FLOAT, float64: dataType.DOUBLE, int32: dataType.INT32, int64: dataType.INT64, bool: dataType.BOOL });
    const attributeType = root.lookupEnum('onnx.AttributeProto.AttributeType').values;
    expect(AttributeType).toEqual({ FLOAT: attributeType.FLOAT, INT: attributeType.INT, STRING: attributeType.STRING, INTS: attributeType.INTS });
  });

  it('runs in onnxruntime with the values the graph means', async () => {
    const session = await ort.InferenceSession.create(smallGraph().toBytes());
    try {
      const x = new ort.Tensor('float32', Float32Array.from([1, 0, 0, 0, 1, 1]), [2, 3]);
      const out = await session.run({ x });
      // rows of x·wᵀ/2 + b: [0.5, 2] + b and [2.5, 5.5] + b
      expect(Array.from(out.y!.data as Float32Array)).toEqual([0.75, 1.75, 2.75, 5.25]);
      expect(Array.from(out.z!.data as Float32Array)).toEqual([2.5, 8]);
      expect(Array.from(out.x_out!.data as Float32Array)).toEqual([1, 0, 0, 0, 1, 1]);
    } finally {
      await session.release();
    }
  });

  it('renames an exposed node output everywhere, nodes added later included; a second name gets an Identity', () => {
    const g = new GraphBuilder('renames');
    const x = g.input('x', 'float32', [2]);
    const before = g.op('Neg', [x]);
    const doubled = g.op('Add', [before, before]);
    g.output(before, 'negated', 'float32', [2]);
    const after = g.op('Abs', [before]);
    g.output(after, 'abs', 'float32', [2]);
    g.output(before, 'negated_again', 'float32', [2]);
    g.output(doubled, 'doubled', 'float32', [2]);
    const { graph } = decodeModel(g.toBytes());
    expect(graph.node.map((n) => [n.opType, n.input, n.output])).toEqual([
      ['Neg', ['x'], ['negated']],
      ['Add', ['negated', 'negated'], ['doubled']],
      ['Abs', ['negated'], ['abs']],
      ['Identity', ['negated'], ['negated_again']],
    ]);
    expect(graph.output.map((o) => o.name)).toEqual(['negated', 'abs', 'negated_again', 'doubled']);
  });

  it('refuses a non-integer number as an integer attribute', () => {
    const g = new GraphBuilder('bad');
    g.op('LeakyRelu', [g.input('x', 'float32', [1])], { alpha: 0.1 });
    expect(() => g.toBytes()).toThrow(/attribute alpha: 0.1 is not an integer/);
  });
});
