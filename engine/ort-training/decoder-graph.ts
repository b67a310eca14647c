// The teacher-forced target side as TensorGraph nodes, step for step as models/decoder.ts (attend with
// the previous top state, GRU on [e(y); c], features [s; c; e(y)]), layers/attention.ts and
// layers/readout.ts, then the masked cross-entropy of training/loss.ts over the real rows only.
import type { ModelConfig } from '../config.ts';
import { MASKED } from '../layers/attention.ts';
import type { CellState, GraphParams } from './graph-params.ts';
import { cellStep, cellProject, cellWeights } from './recurrent-graph.ts';
import type { TensorGraph, Value } from './tensor-graph.ts';

export interface AttentionMemoryGraph {
  keys: Value; // [B, S, D]
  proj: Value | null; // additive [B, S, A]; general [B, S, Dq]
  maskAdd: Value; // [B, S]: 0 at real positions, MASKED at padding
}

export function prepareAttention(tg: TensorGraph, p: GraphParams, config: ModelConfig, keys: Value, srcMask: Value): AttentionMemoryGraph {
  const maskAdd = tg.raw1('Mul', [tg.raw1('Sub', [tg.constant(1), srcMask], {}, [...srcMask.shape], srcMask.type), tg.constant(MASKED)], {}, [...srcMask.shape], srcMask.type);
  const kind = config.attention.kind;
  const proj = kind === 'dot' ? null : tg.matmul(keys, p.get(kind === 'additive' ? 'attention/w_k' : 'attention/w'));
  return { keys, proj, maskAdd };
}

/** One decoder step's attention (layers/attention.ts attend): context [B, D] and weights [B, S]. */
export function attend(tg: TensorGraph, p: GraphParams, config: ModelConfig, m: AttentionMemoryGraph, query: Value): { context: Value; weights: Value } {
  const [B, S, D] = m.keys.shape as [number, number, number];
  let scores: Value; // [B, S]
  if (config.attention.kind === 'additive') {
    const A = config.attention.dim;
    const q = tg.reshape(tg.matmul(query, p.get('attention/w_q')), [B, 1, A]);
    const e = tg.tanh(tg.add(m.proj!, q)); // [B, S, A]
    scores = tg.reshape(tg.matmul(e, tg.reshape(p.get('attention/v'), [A, 1])), [B, S]);
  } else {
    const k = config.attention.kind === 'general' ? m.proj! : m.keys; // [B, S, Dq]
    const Dq = query.shape[1] as number;
    scores = tg.reshape(tg.matmul(k, tg.reshape(query, [B, Dq, 1])), [B, S]);
  }
  const weights = tg.softmax(tg.add(scores, m.maskAdd), -1);
  return { context: tg.reshape(tg.matmul(tg.reshape(weights, [B, 1, S]), m.keys), [B, D]), weights };
}

export interface DecoderInputs {
  /** e(y_{i−1}) per step, [B, E] each. */
  embedded: Value[];
  initial: CellState[];
  attention: AttentionMemoryGraph | null;
  global: Value | null; // [B, G]
  /** Dropout masks on the input of decoder layer l ≥ 1 at step t: layerMasks[l][t], [B, H]. */
  layerMasks?: (Value[] | null)[];
}

/** Features [B, T, F] of every decoder step. */
export function decodeTeacherForced(tg: TensorGraph, p: GraphParams, config: ModelConfig, o: DecoderInputs): Value {
  const layers = Array.from({ length: config.decoder.layers }, (_, l) => cellWeights(p, `decoder/l${l}`));
  let state = o.initial;
  const columns: Value[] = [];
  o.embedded.forEach((emb, t) => {
    const parts: Value[] = [];
    if (o.global) parts.push(o.global);
    if (o.attention) parts.push(attend(tg, p, config, o.attention, state[state.length - 1]!.h).context);
    const context = parts.length === 0 ? null : parts.length === 1 ? parts[0]! : tg.concat(parts, 1); // [B, C]
    let input = context ? tg.concat([emb, context], 1) : emb;
    state = layers.map((w, l) => {
      const mask = o.layerMasks?.[l]?.[t];
      if (mask) input = tg.mul(input, mask);
      const next = cellStep(tg, w, cellProject(tg, w, input), state[l]!);
      input = next.h;
      return next;
    });
    const f = tg.concat(context ? [input, context, emb] : [input, emb], 1); // [B, F]
    columns.push(tg.reshape(f, [f.shape[0]!, 1, f.shape[1]!]));
  });
  return columns.length === 1 ? columns[0]! : tg.concat(columns, 1);
}

/**
 * Σ over the picked rows of −log softmax(logits)[target] (label-smoothed as loss.ts), times invCount.
 * features [N, F] are already only the real target rows; targets int64 [N, 1].
 */
export function readoutLoss(
  tg: TensorGraph,
  p: GraphParams,
  config: ModelConfig,
  o: { features: Value; targets: Value; invCount: Value; labelSmoothing: number },
): Value {
  const N = o.features.shape[0]!;
  const pre = tg.add(tg.matmul(o.features, p.get('readout/w')), p.get('readout/b')); // [N, R]
  const R = config.readout.dim;
  const hidden = config.readout.kind === 'tanh' ? tg.tanh(pre) : tg.reduceMax(tg.reshape(pre, [N, R / 2, 2]), [2]); // maxout over pairs
  const logits = tg.add(tg.matmul(hidden, p.get('readout/w_out')), p.get('readout/b_out')); // [N, V]
  return tg.softmaxCrossEntropy(logits, o.targets, o.invCount, o.labelSmoothing);
}
