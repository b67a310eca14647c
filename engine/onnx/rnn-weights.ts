// PyTorch-layout recurrent weights (x·W with W [in, G*H], gates r,z,n or i,f,g,o) rearranged into the
// inputs of ONNX's GRU and LSTM operators (W [dirs, G*H, in], gates z,r,h or i,o,f,c; onnx/Operators.md).
import type { CellKind } from '../config.ts';
import type { ParamStore } from '../models/params.ts';

/** ONNX gate k is our gate ORDER[k]. */
const GRU_ORDER = [1, 0, 2]; // z, r, h ← r, z, n
const LSTM_ORDER = [0, 3, 1, 2]; // i, o, f, c ← i, f, g, o
const PEEP_ORDER = [0, 2, 1]; // i, o, f ← rows i, f, o

export interface OnnxRnnWeights {
  w: Float32Array; // [dirs, G*H, in]
  r: Float32Array; // [dirs, G*H, H]
  b: Float32Array; // [dirs, 2*G*H]
  p: Float32Array | null; // [dirs, 3*H]
  input: number;
  hidden: number;
  gates: number;
}

/** [in, G*H] → [G*H, in] with gate blocks permuted. */
function transposeGates(w: Float32Array, input: number, hidden: number, order: number[]): Float32Array {
  const out = new Float32Array(w.length);
  const cols = order.length * hidden;
  order.forEach((src, k) => {
    for (let j = 0; j < hidden; j++) {
      const row = (k * hidden + j) * input;
      const col = src * hidden + j;
      for (let i = 0; i < input; i++) out[row + i] = w[i * cols + col]!;
    }
  });
  return out;
}

function permuteBlocks(v: Float32Array, hidden: number, order: number[]): Float32Array {
  const out = new Float32Array(order.length * hidden);
  order.forEach((src, k) => out.set(v.subarray(src * hidden, (src + 1) * hidden), k * hidden));
  return out;
}

const values = (t: { dataSync(): unknown }) => Float32Array.from(t.dataSync() as Float32Array);

/** The cells under `prefixes` (forward, then backward) as one ONNX GRU/LSTM operator's weights. */
export function onnxRnnWeights(params: ParamStore, kind: CellKind, prefixes: string[]): OnnxRnnWeights {
  const order = kind === 'gru' ? GRU_ORDER : LSTM_ORDER;
  const get = (prefix: string, name: string) => params.get(`${prefix}/${name}`);
  const H = get(prefixes[0]!, 'w_hh').shape[0]!;
  const input = get(prefixes[0]!, 'w_ih').shape[0]!;
  const parts = prefixes.map((prefix) => {
    const peep = params.has(`${prefix}/peephole`) ? get(prefix, 'peephole') : null;
    return {
      w: transposeGates(values(get(prefix, 'w_ih')), input, H, order),
      r: transposeGates(values(get(prefix, 'w_hh')), H, H, order),
      b: [...permuteBlocks(values(get(prefix, 'b_ih')), H, order), ...permuteBlocks(values(get(prefix, 'b_hh')), H, order)],
      p: peep ? permuteBlocks(values(peep), H, PEEP_ORDER) : null,
    };
  });
  const join = (arrays: ArrayLike<number>[]) => {
    const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      out.set(a, o);
      o += a.length;
    }
    return out;
  };
  const hasPeep = parts.every((p) => p.p);
  return {
    w: join(parts.map((p) => p.w)),
    r: join(parts.map((p) => p.r)),
    b: join(parts.map((p) => p.b)),
    p: hasPeep ? join(parts.map((p) => p.p!)) : null,
    input,
    hidden: H,
    gates: order.length,
  };
}
