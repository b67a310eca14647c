// A Seq2Seq's weights as two ONNX graphs: the encoder (source ids + lengths → attention memory, fixed
// context and initial decoder state) and one decoder step (previous tokens + state + memory → log-probs,
// attention weights, next state), with the exact math of encoder.ts, decoder.ts and readout.ts.
import { encoderWidth, type ModelConfig } from '../config.ts';
import type { Seq2Seq } from '../models/seq2seq.ts';
import type { ParamStore } from '../models/params.ts';
import { GraphBuilder } from './graph.ts';
import { onnxRnnWeights } from './rnn-weights.ts';

/** What the runtime needs to know about the graphs' inputs and outputs. */
export interface OnnxModelSpec {
  vocabSize: number;
  /** Decoder state tensors in order: h0 (c0) h1 (c1) …, each [B, hidden]. */
  stateNames: string[];
  hidden: number;
  /** Which memory tensors exist and their widths (0 = absent). */
  keyWidth: number;
  projWidth: number;
  globalWidth: number;
  /** State names the encoder computes; the others start at zero. */
  encodedStates: string[];
  /** Initial state without any source (encodeUnconditional), one row per state name. */
  unconditional: number[][];
  reverseSource: boolean;
}

export interface OnnxGraphs {
  encoder: Uint8Array;
  decoder: Uint8Array;
  spec: OnnxModelSpec;
}

const values = (params: ParamStore, name: string) => Float32Array.from(params.get(name).dataSync() as Float32Array);
const shape = (params: ParamStore, name: string) => params.get(name).shape;

function weight(g: GraphBuilder, params: ParamStore, name: string): string {
  return g.floats(name.replace(/\//g, '.'), values(params, name), shape(params, name));
}

interface RecurrentState {
  h: string; // [B, width]
  c: string | null;
}

/** One ONNX GRU/LSTM node over x [T, B, in]: Y [T, dirs, B, H], Y_h / Y_c [dirs, B, H]. */
function recurrentNode(
  g: GraphBuilder,
  o: { params: ParamStore; config: { cell: 'gru' | 'lstm' }; prefixes: string[]; x: string; lengths: string; initial?: RecurrentState },
): { y: string; h: string; c: string | null } {
  const rw = onnxRnnWeights(o.params, o.config.cell, o.prefixes);
  const dirs = o.prefixes.length;
  const H = rw.hidden;
  const name = o.prefixes[0]!.replace(/\//g, '.');
  const w = g.floats(`${name}.W`, rw.w, [dirs, rw.gates * H, rw.input]);
  const r = g.floats(`${name}.R`, rw.r, [dirs, rw.gates * H, H]);
  const b = g.floats(`${name}.B`, rw.b, [dirs, 2 * rw.gates * H]);
  const attrs = { hidden_size: H, direction: dirs === 2 ? 'bidirectional' : 'forward' };
  if (o.config.cell === 'gru') {
    const [y, h] = g.node('GRU', [o.x, w, r, b, o.lengths, o.initial?.h ?? ''], { ...attrs, linear_before_reset: 1 }, 2);
    return { y: y!, h: h!, c: null };
  }
  const p = rw.p ? g.floats(`${name}.P`, rw.p, [dirs, 3 * H]) : '';
  const [y, h, c] = g.node('LSTM', [o.x, w, r, b, o.lengths, o.initial?.h ?? '', o.initial?.c ?? '', p], attrs, 3);
  return { y: y!, h: h!, c: c! };
}

/** [dirs, B, H] → [B, dirs*H], forward first. */
function joinDirections(g: GraphBuilder, t: string): string {
  return g.op('Reshape', [g.op('Transpose', [t], { perm: [1, 0, 2] }), g.int64s([0, -1])]);
}

/** A stack over x [S, B, E]: outputs [S, B, D] and each layer's final state [B, D]. */
function encoderStack(g: GraphBuilder, model: Seq2Seq, prefix: string, x: string, lengths: string): { outputs: string; finals: RecurrentState[] } {
  const e = model.config.encoder;
  const finals: RecurrentState[] = [];
  let input = x;
  for (let l = 0; l < e.layers; l++) {
    const prefixes = e.bidirectional ? [`${prefix}/l${l}/fw`, `${prefix}/l${l}/bw`] : [`${prefix}/l${l}/fw`];
    const out = recurrentNode(g, { params: model.params, config: e, prefixes, x: input, lengths });
    // Y [S, dirs, B, H] → [S, B, dirs*H]
    input = g.op('Reshape', [g.op('Transpose', [out.y], { perm: [0, 2, 1, 3] }), g.int64s([0, 0, -1])]);
    finals.push({ h: joinDirections(g, out.h), c: out.c && joinDirections(g, out.c) });
  }
  return { outputs: input, finals };
}

function embeddingName(config: ModelConfig, side: 'src' | 'tgt'): string {
  return config.shareEmbeddings ? 'embedding' : `${side}_embedding`;
}

export function buildEncoderGraph(model: Seq2Seq): { bytes: Uint8Array; encodedStates: string[]; projWidth: number } {
  const { config, params } = model;
  const g = new GraphBuilder('parley_encoder');
  const src = g.input('src', 'int32', ['batch', 'src_len']);
  const lengths = g.input('lengths', 'int32', ['batch']);
  const embedded = g.op('Gather', [weight(g, params, embeddingName(config, 'src')), src]); // [B, S, E]
  const x = g.op('Transpose', [embedded], { perm: [1, 0, 2] }); // [S, B, E]
  const hybrid = config.context === 'hybrid';
  const main = encoderStack(g, model, hybrid ? 'encoder_local' : 'encoder', x, lengths);
  const second = hybrid ? encoderStack(g, model, 'encoder_global', x, lengths) : null;
  const finals = (second ?? main).finals;
  const D = encoderWidth(config);
  let projWidth = 0;
  if (config.context === 'local' || hybrid) {
    const keys = g.op('Transpose', [main.outputs], { perm: [1, 0, 2] }); // [B, S, D]
    g.output(keys, 'keys', 'float32', ['batch', 'src_len', D]);
    const a = config.attention;
    if (a.kind !== 'dot') {
      const wk = a.kind === 'additive' ? 'attention/w_k' : 'attention/w';
      projWidth = shape(params, wk)[1]!;
      g.output(g.op('MatMul', [keys, weight(g, params, wk)]), 'proj', 'float32', ['batch', 'src_len', projWidth]);
    }
  }
  if (config.context === 'global' || hybrid) g.output(finals[finals.length - 1]!.h, 'global', 'float32', ['batch', D]);
  const d = config.decoder;
  const encodedStates: string[] = [];
  for (let l = 0; l < d.layers; l++) {
    if (d.init === 'copy') {
      g.output(finals[l]!.h, `h${l}`, 'float32', ['batch', d.hidden]);
      encodedStates.push(`h${l}`);
      if (d.cell === 'lstm') {
        g.output(finals[l]!.c!, `c${l}`, 'float32', ['batch', d.hidden]);
        encodedStates.push(`c${l}`);
      }
    } else if (d.init === 'bridge') {
      const summary = finals[finals.length - 1]!.h;
      const pre = g.op('Add', [g.op('MatMul', [summary, weight(g, params, `bridge/l${l}/w`)]), weight(g, params, `bridge/l${l}/b`)]);
      g.output(g.op('Tanh', [pre]), `h${l}`, 'float32', ['batch', d.hidden]);
      encodedStates.push(`h${l}`);
    }
  }
  // A graph needs an output; a model with neither memory nor encoded state still exposes the summary.
  if (encodedStates.length === 0 && config.context === 'none') g.output(finals[finals.length - 1]!.h, 'summary', 'float32', ['batch', D]);
  return { bytes: g.toBytes(), encodedStates, projWidth };
}

/** [B, H] → [1, B, H] and back, for the recurrent operators' sequence axis. */
const unsqueeze0 = (g: GraphBuilder, t: string) => g.op('Unsqueeze', [t, g.int64s([0])]);
const squeeze0 = (g: GraphBuilder, t: string) => g.op('Squeeze', [t, g.int64s([0])]);

function attend(g: GraphBuilder, model: Seq2Seq, query: string, mem: { keys: string; proj: string | null; mask: string }): { context: string; weights: string } {
  const { params, config } = model;
  let scores: string; // [B, S]
  if (config.attention.kind === 'additive') {
    const q = g.op('Unsqueeze', [g.op('MatMul', [query, weight(g, params, 'attention/w_q')]), g.int64s([1])]); // [B, 1, A]
    const e = g.op('Tanh', [g.op('Add', [mem.proj!, q])]); // [B, S, A]
    const v = g.floats('attention.v', values(params, 'attention/v'), [config.attention.dim, 1]);
    scores = g.op('Squeeze', [g.op('MatMul', [e, v]), g.int64s([2])]);
  } else {
    const k = config.attention.kind === 'general' ? mem.proj! : mem.keys; // [B, S, Dq]
    scores = g.op('Squeeze', [g.op('MatMul', [k, g.op('Unsqueeze', [query, g.int64s([2])])]), g.int64s([2])]);
  }
  const weights = g.op('Softmax', [g.op('Add', [scores, mem.mask])], { axis: -1 }); // [B, S]
  const context = g.op('Squeeze', [g.op('MatMul', [g.op('Unsqueeze', [weights, g.int64s([1])]), mem.keys]), g.int64s([1])]); // [B, D]
  return { context, weights };
}

export function buildDecoderGraph(model: Seq2Seq, spec: Pick<OnnxModelSpec, 'keyWidth' | 'projWidth' | 'globalWidth' | 'stateNames'>): Uint8Array {
  const { config, params } = model;
  const d = config.decoder;
  const g = new GraphBuilder('parley_decoder_step');
  const tokens = g.input('tokens', 'int32', ['batch']);
  const state = new Map(spec.stateNames.map((n) => [n, g.input(n, 'float32', ['batch', d.hidden])]));
  const keys = spec.keyWidth ? g.input('keys', 'float32', ['batch', 'src_len', spec.keyWidth]) : null;
  const proj = spec.projWidth ? g.input('proj', 'float32', ['batch', 'src_len', spec.projWidth]) : null;
  const mask = keys ? g.input('mask', 'float32', ['batch', 'src_len']) : null;
  const global = spec.globalWidth ? g.input('global', 'float32', ['batch', spec.globalWidth]) : null;
  const emb = g.op('Gather', [weight(g, params, embeddingName(config, 'tgt')), tokens]); // [B, E]
  const parts: string[] = [];
  if (global) parts.push(global);
  let weights: string | null = null;
  if (keys && mask) {
    const a = attend(g, model, state.get(`h${d.layers - 1}`)!, { keys, proj, mask });
    parts.push(a.context);
    weights = a.weights;
  }
  const context = parts.length === 0 ? null : parts.length === 1 ? parts[0]! : g.op('Concat', parts, { axis: 1 }); // [B, C]
  let input = context ? g.op('Concat', [emb, context], { axis: 1 }) : emb;
  const lstm = d.cell === 'lstm';
  for (let l = 0; l < d.layers; l++) {
    const initial = { h: unsqueeze0(g, state.get(`h${l}`)!), c: lstm ? unsqueeze0(g, state.get(`c${l}`)!) : null };
    const out = recurrentNode(g, { params, config: d, prefixes: [`decoder/l${l}`], x: unsqueeze0(g, input), lengths: '', initial });
    input = squeeze0(g, out.h);
    g.output(input, `h${l}_out`, 'float32', ['batch', d.hidden]);
    if (out.c) g.output(squeeze0(g, out.c), `c${l}_out`, 'float32', ['batch', d.hidden]);
  }
  const features = g.op('Concat', context ? [input, context, emb] : [input, emb], { axis: 1 }); // [B, F]
  const pre = g.op('Add', [g.op('MatMul', [features, weight(g, params, 'readout/w')]), weight(g, params, 'readout/b')]); // [B, R]
  const hidden =
    config.readout.kind === 'tanh'
      ? g.op('Tanh', [pre])
      : g.op('ReduceMax', [g.op('Reshape', [pre, g.int64s([0, config.readout.dim / 2, 2])])], { axes: [2], keepdims: 0 });
  const logits = g.op('Add', [g.op('MatMul', [hidden, weight(g, params, 'readout/w_out')]), weight(g, params, 'readout/b_out')]);
  g.output(g.op('LogSoftmax', [logits], { axis: -1 }), 'logprobs', 'float32', ['batch', config.vocabSize]);
  if (weights) g.output(weights, 'weights', 'float32', ['batch', 'src_len']);
  return g.toBytes();
}

/** Both graphs and their spec from a model (weights read synchronously from its parameters). */
export function buildOnnxGraphs(model: Seq2Seq): OnnxGraphs {
  const { config, params } = model;
  const d = config.decoder;
  const stateNames = Array.from({ length: d.layers }, (_, l) => (d.cell === 'lstm' ? [`h${l}`, `c${l}`] : [`h${l}`])).flat();
  const enc = buildEncoderGraph(model);
  const attends = config.context === 'local' || config.context === 'hybrid';
  const globalWidth = config.context === 'global' || config.context === 'hybrid' ? encoderWidth(config) : 0;
  const spec: OnnxModelSpec = {
    vocabSize: config.vocabSize,
    stateNames,
    hidden: d.hidden,
    keyWidth: attends ? encoderWidth(config) : 0,
    projWidth: enc.projWidth,
    globalWidth,
    encodedStates: enc.encodedStates,
    // With no source, every encoder summary is zero: a bridge gives tanh(b), copy and zeros give 0.
    unconditional: stateNames.map((n) =>
      d.init === 'bridge' && n.startsWith('h') ? Array.from(values(params, `bridge/l${n.slice(1)}/b`), Math.tanh) : new Array<number>(d.hidden).fill(0),
    ),
    reverseSource: config.reverseSource,
  };
  return { encoder: enc.bytes, decoder: buildDecoderGraph(model, spec), spec };
}
