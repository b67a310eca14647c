// One whole training step as one ONNX graph for one bucket shape (batch, srcLen, tgtLen): the forward
// pass of models/seq2seq.ts unrolled over both sequences, the masked loss over the real target rows
// (their number is the graph's one free dim), its gradients, and then clipping + Adam — or, in
// 'gradients' mode, the gradients themselves as outputs (for the parity tests).
import type { ModelConfig } from '../config.ts';
import { adamUpdate, clipScale, type AdamGraphOptions } from './adam-graph.ts';
import { decodeTeacherForced, prepareAttention, readoutLoss } from './decoder-graph.ts';
import { dropoutSites } from './dropout.ts';
import { gradients } from './gradients.ts';
import { GraphParams, type CellState, type ParamShapes } from './graph-params.ts';
import { cellStack, type SequenceMasks } from './recurrent-graph.ts';
import { ELEM, type Dim } from '../onnx/graph.ts';
import { TensorGraph, type FloatType, type Value } from './tensor-graph.ts';

export interface BucketShape {
  batch: number;
  srcLen: number;
  tgtLen: number;
}

export type StepGraphMode = 'update' | 'gradients' | 'norm' | 'loss';

export interface StepGraphOptions {
  config: ModelConfig;
  /** The ParamStore's names and shapes, in its order. */
  params: ParamShapes;
  bucket: BucketShape;
  labelSmoothing: number;
  adam: AdamGraphOptions;
  /** update: the whole step; gradients: loss, norm and every gradient out; norm / loss: stop there (for timing). */
  mode: StepGraphMode;
  dtype?: FloatType;
  /**
   * Leave the batch size free (the named dim `batch`), so one graph serves every batch of a (srcLen,
   * tgtLen) pair; `bucket.batch` is then only the typical size that sizes the gradient choices.
   */
  dynamicBatch?: boolean;
  /**
   * Declare every intermediate value's shape to ONNX Runtime (value_info; default true). Without it
   * ORT cannot tell which buffers of a free-batch graph are the same size, and planning their reuse
   * grew with the square of the node count: a fr-en step of 33 × 32 positions took 6.8 s to create
   * instead of 0.72 s, a parser step of 31 × 120 45.3 s instead of 3.9 s (`npm run bench:ort-sessions`).
   */
  declareShapes?: boolean;
}

/** The name of the free batch dim of a dynamic-batch step graph. */
export const BATCH_DIM = 'batch';

/** Graph input and output names the runner feeds and fetches. */
export const stepNames = {
  src: 'src', // int64 [B, S]
  srcMask: 'src_mask', // float [B, S], 1 at real positions
  tgtIn: 'tgt_in', // int64 [B, T]
  rows: 'rows', // int64 [N]: b*T + t of each real target token
  targets: 'targets', // int64 [N, 1]
  invCount: 'inv_count', // float []: 1 / max(N, 1)
  alpha: 'alpha', // float []: bias-corrected learning rate
  loss: 'loss',
  gradNorm: 'grad_norm',
  grad: (n: string) => `grad/${n}`,
  m: (n: string) => `adam_m/${n}`,
  v: (n: string) => `adam_v/${n}`,
  newParam: (n: string) => `new/${n}`,
  newM: (n: string) => `new_adam_m/${n}`,
  newV: (n: string) => `new_adam_v/${n}`,
};

/** [B, width] zeros (initial states); with a free batch, shaped at run time from the source's rows. */
function zeroStates(tg: TensorGraph, B: Dim, src: Value): (width: number) => Value {
  if (typeof B === 'number') return (width) => tg.constant(new Array<number>(B * width).fill(0), [B, width]);
  const rows = tg.raw1('Slice', [tg.shapeOf(src), tg.int64s([0]), tg.int64s([1])], {}, [1], 'int64');
  const made = new Map<number, Value>();
  return (width) => {
    let z = made.get(width);
    if (!z) {
      const shape = tg.raw1('Concat', [rows, tg.int64s([width])], { axis: 0 }, [2], 'int64');
      z = tg.raw1('ConstantOfShape', [shape], {}, [B, width], 'float32'); // default value: float32 0
      if (tg.dtype !== 'float32') z = tg.raw1('Cast', [z], { to: ELEM[tg.dtype] }, [B, width], tg.dtype);
      made.set(width, z);
    }
    return z;
  };
}

function forwardLoss(tg: TensorGraph, p: GraphParams, o: StepGraphOptions): Value {
  const { config } = o;
  const { srcLen: S, tgtLen: T } = o.bucket;
  const B: Dim = o.dynamicBatch ? BATCH_DIM : o.bucket.batch;
  const src = tg.input(stepNames.src, [B, S], 'int64');
  const srcMask = tg.input(stepNames.srcMask, [B, S]);
  const tgtIn = tg.input(stepNames.tgtIn, [B, T], 'int64');
  const rows = tg.input(stepNames.rows, ['rows'], 'int64');
  const targets = tg.input(stepNames.targets, ['rows', 1], 'int64');
  const invCount = tg.input(stepNames.invCount, []);
  const srcTable = p.get(config.shareEmbeddings ? 'embedding' : 'src_embedding');
  const tgtTable = p.get(config.shareEmbeddings ? 'embedding' : 'tgt_embedding');
  const drop = new Map(dropoutSites(config, { batch: B, srcLen: S, tgtLen: T }).map((site) => [site.name, tg.input(site.name, site.dims)]));
  const dropped = (x: Value, site: string) => (drop.has(site) ? tg.mul(x, drop.get(site)!) : x);
  const perStep = (site: string, width: number) =>
    drop.has(site) ? tg.raw('Split', [drop.get(site)!, tg.int64s(new Array<number>(T).fill(1))], { axis: 1 }, Array.from({ length: T }, () => ({ shape: [B, 1, width], type: tg.dtype }))).map((m) => tg.raw1('Reshape', [m, tg.int64s([-1, width])], {}, [B, width], tg.dtype)) : null;
  const embedded = dropped(tg.gather(srcTable, src), 'drop/src_embedding'); // [B, S, E]
  const masks: SequenceMasks = { columns: tg.raw('Split', [srcMask, tg.int64s(new Array<number>(S).fill(1))], { axis: 1 }, Array.from({ length: S }, () => ({ shape: [B, 1], type: tg.dtype }))) };
  const zeros = zeroStates(tg, B, src);
  const e = config.encoder;
  const stack = (prefix: string) =>
    cellStack(tg, { params: p, prefix, layers: e.layers, bidirectional: e.bidirectional, x: embedded, masks, zeros, dropout: (l, x) => dropped(x, `drop/${prefix}/l${l}`) });
  const hybrid = config.context === 'hybrid';
  const main = stack(hybrid ? 'encoder_local' : 'encoder');
  const finals = hybrid ? stack('encoder_global').finals : main.finals;
  const top = finals[finals.length - 1]!.h; // [B, encoderWidth]
  const attention = config.context === 'local' || hybrid ? prepareAttention(tg, p, config, main.outputs, srcMask) : null;
  const global = config.context === 'global' || hybrid ? top : null;
  const d = config.decoder;
  const lstm = d.cell === 'lstm';
  const withC = (h: Value, c?: Value): CellState => (lstm ? { h, c: c ?? zeros(d.hidden) } : { h });
  const initial: CellState[] = Array.from({ length: d.layers }, (_, l) => {
    if (d.init === 'copy') return withC(finals[l]!.h, finals[l]!.c);
    if (d.init === 'zeros') return withC(zeros(d.hidden));
    return withC(tg.tanh(tg.add(tg.matmul(top, p.get(`bridge/l${l}/w`)), p.get(`bridge/l${l}/b`))));
  });
  const tgtEmbedded = tg.split(dropped(tg.gather(tgtTable, tgtIn), 'drop/tgt_embedding'), 1, new Array<number>(T).fill(1)).map((x) => tg.reshape(x, [B, config.embedding]));
  const layerMasks = Array.from({ length: d.layers }, (_, l) => (l === 0 ? null : perStep(`drop/decoder/l${l}`, d.hidden)));
  const features = decodeTeacherForced(tg, p, config, { embedded: tgtEmbedded, initial, attention, global, layerMasks }); // [B, T, F]
  const F = features.shape[2] as number;
  const real = dropped(tg.gather(tg.reshape(features, [typeof B === 'number' ? B * T : `${B}*${T}`, F]), rows), 'drop/features'); // [N, F]
  return readoutLoss(tg, p, config, { features: real, targets, invCount, labelSmoothing: o.labelSmoothing });
}

/** The step graph's bytes. */
export function buildStepGraph(o: StepGraphOptions): Uint8Array {
  return buildStepGraphWithSections(o).bytes;
}

/** Also where each part starts: nodes [0, backward) are the forward pass, [backward, optimizer) the backward. */
export function buildStepGraphWithSections(o: StepGraphOptions): { bytes: Uint8Array; sections: { backward: number; optimizer: number } } {
  const tg = new TensorGraph(`parley_train_${o.dynamicBatch ? BATCH_DIM : o.bucket.batch}x${o.bucket.srcLen}x${o.bucket.tgtLen}`, o.dtype ?? 'float32', { declareShapes: o.declareShapes ?? true });
  if (o.dynamicBatch) tg.dimHints.set(BATCH_DIM, o.bucket.batch);
  const p = new GraphParams(tg, o.params);
  const loss = forwardLoss(tg, p, o);
  const sections = { backward: tg.builder.nodeCount, optimizer: tg.builder.nodeCount };
  if (o.mode === 'loss') {
    tg.output(loss, stepNames.loss);
    return { bytes: tg.builder.toBytes(), sections };
  }
  const all = p.all();
  const grads = gradients(tg, loss, all.map((x) => x.value));
  sections.optimizer = tg.builder.nodeCount;
  const { norm, scale } = clipScale(tg, grads, o.adam.clipNorm);
  tg.output(loss, stepNames.loss);
  tg.output(norm, stepNames.gradNorm);
  if (o.mode === 'gradients') grads.forEach((g, k) => tg.output(g, stepNames.grad(all[k]!.name)));
  if (o.mode !== 'update') return { bytes: tg.builder.toBytes(), sections };
  const alpha = tg.input(stepNames.alpha, []);
  const updates = all.map(({ name, value }, k) => {
    const m = tg.input(stepNames.m(name), [...value.shape]);
    const v = tg.input(stepNames.v(name), [...value.shape]);
    return { name, ...adamUpdate(tg, { param: value, grad: grads[k]!, m, v, alpha, scale, options: o.adam }) };
  });
  for (const u of updates) {
    tg.output(u.param, stepNames.newParam(u.name));
    tg.output(u.m, stepNames.newM(u.name));
    tg.output(u.v, stepNames.newV(u.name));
  }
  return { bytes: tg.builder.toBytes(), sections };
}
