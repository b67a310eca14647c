// Step graphs declare every intermediate value's shape to ONNX Runtime (value_info). ORT plans buffer
// reuse by those shapes, so a declared name must mean one size: two joins (Concat) under one name
// made ORT reuse a 6-row buffer for an 8-row value. Each preset's free-batch update graph is checked
// here; the trainer tests run them.
import { describe, expect, it } from 'vitest';
import type { ModelConfig, Preset } from '../../../engine/config.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { decodeModel } from '../../../engine/onnx/onnx-proto.ts';
import { BATCH_DIM, buildStepGraph } from '../../../engine/ort-training/step-graph.ts';
import { tinyConfig } from '../../helpers/tiny.ts';

const presets: Preset[] = ['rnnsearch', 'nrm-global', 'nrm-local', 'nrm-hybrid', 'encdec', 'seq2seq-lstm'];

function stepGraph(config: ModelConfig, declareShapes?: boolean) {
  const model = new Seq2Seq(config);
  const params = model.params.entries().map(([n, x]) => [n, x.shape] as const);
  model.dispose();
  const bytes = buildStepGraph({ config, params, bucket: { batch: 3, srcLen: 5, tgtLen: 4 }, labelSmoothing: 0, adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 1 }, mode: 'update', dynamicBatch: true, declareShapes });
  return decodeModel(bytes).graph;
}

describe.each(presets)('ORT step graph of %s, batch size free', (preset) => {
  const graph = stepGraph(tinyConfig(preset, { vocabSize: 16 }));
  const declared = new Map((graph.valueInfo ?? []).map((v) => [v.name, v.type.tensorType.shape.dim]));

  it('declares the shape of every node output that is not a graph output', () => {
    const outputs = new Set(graph.output.map((o) => o.name));
    const undeclared = graph.node.flatMap((n) => n.output).filter((o) => !outputs.has(o) && !declared.has(o));
    expect(undeclared).toEqual([]);
    expect(declared.size).toBeGreaterThan(graph.node.length);
  });

  it('gives each Concat along a named dim a name of its own; other named dims are the batch, its multiples and the target rows', () => {
    const named = (name: string) => (declared.get(name) ?? graph.output.find((o) => o.name === name)?.type.tensorType.shape.dim ?? []).flatMap((d) => ('dimParam' in d && d.dimParam ? [d.dimParam] : []));
    const joinedBy = new Map<string, number>();
    for (const n of graph.node.filter((x) => x.opType === 'Concat')) {
      const axis = n.attribute?.find((a) => a.name === 'axis')?.i ?? 0;
      const dims = declared.get(n.output[0]!) ?? [];
      const d = dims[Number(axis) < 0 ? dims.length + Number(axis) : Number(axis)];
      if (d && 'dimParam' in d && d.dimParam?.startsWith('joined_')) joinedBy.set(d.dimParam, (joinedBy.get(d.dimParam) ?? 0) + 1);
    }
    expect(joinedBy.size).toBeGreaterThan(0); // the deferred weight adjoints stack free-batch rows
    expect([...joinedBy.values()].every((count) => count === 1)).toBe(true);
    const all = new Set(graph.node.flatMap((n) => n.output).flatMap(named));
    const known = (d: string) => d === BATCH_DIM || d === 'rows' || new RegExp(`^${BATCH_DIM}\\*\\d+$`).test(d) || joinedBy.has(d);
    expect([...all].filter((d) => !known(d))).toEqual([]);
  });
});

describe('ORT step graph without declared shapes', () => {
  it('has no value_info (the measurement baseline of bench:ort-sessions)', () => {
    expect(stepGraph(tinyConfig('rnnsearch', { vocabSize: 16 }), false).valueInfo ?? []).toEqual([]);
  });
});
