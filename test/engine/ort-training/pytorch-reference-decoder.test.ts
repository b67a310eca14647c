// The ORT training graphs' target side against PyTorch's own values (the shared reference fixtures the
// tfjs layers are checked against): additive attention with a source mask (decoder-graph.ts' attend)
// and the fused masked cross-entropy the step graph ends in, with their gradients through gradients.ts.
import { describe, expect, it } from 'vitest';
import { modelConfig } from '../../../engine/config.ts';
import { perplexity } from '../../../engine/metrics/perplexity.ts';
import { attend, prepareAttention } from '../../../engine/ort-training/decoder-graph.ts';
import { gradients } from '../../../engine/ort-training/gradients.ts';
import { GraphParams } from '../../../engine/ort-training/graph-params.ts';
import { createTrainingSession, ort } from '../../../engine/ort-training/session.ts';
import { TensorGraph } from '../../../engine/ort-training/tensor-graph.ts';
import { expectClose, flat } from '../../helpers/close.ts';
import { loadReference } from '../../helpers/reference.ts';

interface AttentionReference {
  query: number[][]; keys: number[][][]; Wq: number[][]; Wk: number[][]; v: number[]; src_len: number[];
  alpha: number[][]; context: number[][]; w: number[][]; loss: number;
  grad: { query: number[][]; keys: number[][][] };
}

interface LossReference {
  logits: number[][][]; targets: number[][]; tgt_len: number[];
  loss: number; perplexity: number; grad_logits: number[][][];
}

const f64 = (data: ArrayLike<number>, dims: number[]) => new ort.Tensor('float64', Float64Array.from(data), dims);

/** PyTorch's Linear weight [out, in] → Parley's [in, out] (x·W), row-major. */
function transposed(m: number[][]): Float64Array {
  const [rows, cols] = [m.length, m[0]!.length];
  const data = new Float64Array(rows * cols);
  m.forEach((row, o) => row.forEach((v, i) => (data[i * rows + o] = v)));
  return data;
}

async function run(tg: TensorGraph, feeds: Record<string, ort.Tensor>): Promise<Record<string, Float64Array>> {
  const session = await createTrainingSession(tg.builder.toBytes(), { threads: 1 });
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.data as Float64Array]));
}

describe('ORT additive attention graph against PyTorch', () => {
  it('matches alpha (exactly 0 at masked positions), context, the loss and the gradients of query and keys (float64)', async () => {
    const ref = loadReference<AttentionReference>('bahdanau_attention');
    const [B, S, D] = [ref.keys.length, ref.keys[0]!.length, ref.keys[0]![0]!.length];
    const [Dq, A] = [ref.query[0]!.length, ref.v.length];
    const config = modelConfig('rnnsearch', { attention: { kind: 'additive', dim: A } });
    const tg = new TensorGraph('attention_reference', 'float64');
    const p = new GraphParams(tg, [['attention/w_q', [Dq, A]], ['attention/w_k', [D, A]], ['attention/v', [A]]]);
    const query = tg.input('query', [B, Dq]);
    const keys = tg.input('keys', [B, S, D]);
    const srcMask = tg.constant(ref.src_len.flatMap((len) => Array.from({ length: S }, (_, j) => (j < len ? 1 : 0))), [B, S]);
    const { context, weights } = attend(tg, p, config, prepareAttention(tg, p, config, keys, srcMask), query);
    const loss = tg.reduceSum(tg.mul(context, tg.constant(flat(ref.w), [B, D])), [0, 1]);
    const [gQuery, gKeys] = gradients(tg, loss, [query, keys]);
    tg.output(weights, 'alpha');
    tg.output(context, 'context');
    tg.output(loss, 'loss');
    tg.output(gQuery!, 'grad_query');
    tg.output(gKeys!, 'grad_keys');
    const out = await run(tg, {
      query: f64(flat(ref.query), [B, Dq]),
      keys: f64(flat(ref.keys), [B, S, D]),
      'attention/w_q': new ort.Tensor('float64', transposed(ref.Wq), [Dq, A]),
      'attention/w_k': new ort.Tensor('float64', transposed(ref.Wk), [D, A]),
      'attention/v': f64(ref.v, [A]),
    });
    expectClose(out.alpha!, flat(ref.alpha), 1e-9, 1e-12);
    // PyTorch masks with −inf; Parley adds MASKED (−1e9, finite gradients), whose exp must still be 0.
    const maxAbs = (x: Float64Array) => Math.max(0, ...Array.from(x, Math.abs));
    expect(ref.src_len.some((len) => len < S)).toBe(true);
    ref.src_len.forEach((len, b) => expect(maxAbs(out.alpha!.slice(b * S + len, (b + 1) * S))).toBe(0));
    expectClose(out.context!, flat(ref.context), 1e-9, 1e-12);
    expectClose(out.loss!, [ref.loss], 1e-9, 1e-12);
    expectClose(out.grad_query!, flat(ref.grad.query), 1e-9, 1e-12);
    expectClose(out.grad_keys!, flat(ref.grad.keys), 1e-9, 1e-12);
  });
});

describe('ORT masked cross-entropy against PyTorch', () => {
  it('matches the loss, the perplexity and the gradient of the logits, 0 at padding (float64)', async () => {
    const ref = loadReference<LossReference>('masked_cross_entropy');
    const [B, T, V] = [ref.logits.length, ref.logits[0]!.length, ref.logits[0]![0]!.length];
    // As the step graph computes it: only the real target rows (b·T + t, t < length, as makeStepBatch
    // lists them) are gathered and reach the fused loss; padding rows get their gradient, zero, through
    // the gather's adjoint instead of from a 0/1 weight as in PyTorch's masked mean.
    const rows = ref.tgt_len.flatMap((len, b) => Array.from({ length: len }, (_, t) => b * T + t));
    const N = rows.length;
    const tg = new TensorGraph('loss_reference', 'float64');
    const logits = tg.input('logits', [B, T, V]);
    const rowIds = tg.input('rows', [N], 'int64');
    const targets = tg.input('targets', [N, 1], 'int64');
    const invCount = tg.input('inv_count', []);
    const picked = tg.gather(tg.reshape(logits, [B * T, V]), rowIds); // [N, V]
    const loss = tg.softmaxCrossEntropy(picked, targets, invCount, 0);
    const [gLogits] = gradients(tg, loss, [logits]);
    tg.output(loss, 'loss');
    tg.output(gLogits!, 'grad_logits');
    const out = await run(tg, {
      logits: f64(flat(ref.logits), [B, T, V]),
      rows: new ort.Tensor('int64', BigInt64Array.from(rows, BigInt), [N]),
      targets: new ort.Tensor('int64', BigInt64Array.from(rows, (r) => BigInt(ref.targets[Math.floor(r / T)]![r % T]!)), [N, 1]),
      inv_count: f64([1 / N], []),
    });
    expectClose(out.loss!, [ref.loss], 1e-9, 1e-12);
    // Validation's route (OrtTrainer.lossSum, then PerplexityMeter): the mean times the token count.
    expectClose([perplexity(out.loss![0]! * N, N)], [ref.perplexity], 1e-9, 1e-12);
    expectClose(out.grad_logits!, flat(ref.grad_logits), 1e-9, 1e-12);
    const padded = Array.from({ length: B * T }, (_, r) => r).filter((r) => !rows.includes(r));
    expect(padded.length).toBeGreaterThan(0);
    for (const r of padded) expect(Math.max(...Array.from(out.grad_logits!.slice(r * V, (r + 1) * V), Math.abs))).toBe(0);
  });
});
