// Which engine `parley train` uses when none is asked for.
import { describe, expect, it, vi } from 'vitest';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { OrtTrainer } from '../../../engine/ort-training/ort-trainer.ts';
import { Trainer } from '../../../engine/training/trainer.ts';
import { tinyConfig } from '../../helpers/tiny.ts';
import { roundLength } from '../../../engine/ort-training/step-batch.ts';
import { ShapePlan } from '../../../engine/ort-training/shape-plan.ts';
import { chooseEngine, DEFAULT_GRID, GLIBC_MALLOC_TUNABLES, gridFromEnv, evalSessionLimit, mallocHint, ortEngine, runGrid, trainSessionLimit } from '../../../engine/ort-training/train-engine.ts';

describe('chooseEngine', () => {
  it('picks onnxruntime on the wasm and cpu backends', () => {
    expect(chooseEngine(undefined, 'wasm')).toEqual({ name: 'onnxruntime', why: 'fastest available' });
    expect(chooseEngine(undefined, 'cpu').name).toBe('onnxruntime');
  });

  it('keeps tfjs on the native tfjs-node backend', () => {
    expect(chooseEngine(undefined, 'tensorflow')).toEqual({ name: 'tfjs', why: 'tfjs-node native backend' });
  });

  it('obeys an explicit choice', () => {
    expect(chooseEngine('tfjs', 'wasm')).toEqual({ name: 'tfjs', why: 'asked for' });
    expect(chooseEngine('onnxruntime', 'tensorflow')).toEqual({ name: 'onnxruntime', why: 'asked for' });
  });
});

describe('mallocHint', () => {
  it('names the glibc settings for the ORT engine on Linux when they are missing', () => {
    expect(mallocHint('onnxruntime', 'linux', undefined)).toContain(`GLIBC_TUNABLES=${GLIBC_MALLOC_TUNABLES}`);
    expect(mallocHint('onnxruntime', 'linux', 'glibc.rtld.optional_static_tls=512')).toContain('GLIBC_TUNABLES=');
  });

  it('is silent when they are set, off Linux, and for the tfjs engine', () => {
    expect(mallocHint('onnxruntime', 'linux', GLIBC_MALLOC_TUNABLES)).toBeNull();
    expect(mallocHint('onnxruntime', 'darwin', undefined)).toBeNull();
    expect(mallocHint('tfjs', 'linux', undefined)).toBeNull();
  });
});

describe('bucket grids', () => {
  it('rounds lengths up the ladder: ×4 to 32, then an eighth of the next power of two', () => {
    const ladder = (ns: number[]) => ns.map((n) => roundLength(n, 'ladder'));
    expect(ladder([1, 4, 5, 31, 32, 33, 40, 41, 64, 65, 100, 129])).toEqual([4, 4, 8, 32, 32, 40, 40, 48, 64, 80, 112, 160]);
    expect([1, 4, 5, 33].map((n) => roundLength(n, 4))).toEqual([4, 4, 8, 36]);
    // never below the length, never more than a quarter above it past the ×4 range
    for (let n = 1; n <= 600; n++) {
      const r = roundLength(n, 'ladder');
      expect(r).toBeGreaterThanOrEqual(n);
      if (n > 32) expect(r / n).toBeLessThanOrEqual(1.25);
    }
  });

  it('reads PARLEY_ORT_GRID, defaulting to a free batch on the ladder', () => {
    expect(gridFromEnv(undefined)).toEqual(DEFAULT_GRID);
    expect(DEFAULT_GRID).toEqual({ batch: 1, length: 'ladder' });
    expect(gridFromEnv('8x4')).toEqual({ batch: 8, length: 4 });
    expect(gridFromEnv('1xladder')).toEqual({ batch: 1, length: 'ladder' });
    expect(() => gridFromEnv('8 by 4')).toThrow(/PARLEY_ORT_GRID must look like/);
  });

  it('keeps a session for every planned pair plus room for ladder shapes, so a large PARLEY_ORT_SHAPES never evicts planned graphs', () => {
    const plan = (n: number) => ({ ...DEFAULT_GRID, shapes: new ShapePlan(Array.from({ length: n }, (_, i) => ({ src: i + 1, tgt: i + 1 }))) });
    expect(trainSessionLimit(DEFAULT_GRID)).toBe(64);
    expect(trainSessionLimit(plan(32))).toBe(64);
    expect(trainSessionLimit(plan(80))).toBe(112);
    expect(evalSessionLimit(DEFAULT_GRID)).toBe(32);
    expect(evalSessionLimit(plan(80))).toBe(112);
    // 100 distinct length pairs, a budget of 90: the run's grid plans 90, and the cache holds them all.
    const examples = Array.from({ length: 100 }, (_, i) => ({ src: Array<number>(i + 1).fill(5), tgt: Array<number>(i + 1).fill(6) }));
    const grid = runGrid(examples, examples.map((_, i) => [i]), { PARLEY_ORT_SHAPES: '90' });
    expect(grid.shapes!.pairs).toHaveLength(90);
    expect(trainSessionLimit(grid)).toBeGreaterThanOrEqual(90 + 32);
  });

  it('hands the run\'s limits to the ORT trainer it builds, unless the caller sets its own', async () => {
    const plan = { ...DEFAULT_GRID, shapes: new ShapePlan(Array.from({ length: 80 }, (_, i) => ({ src: i + 1, tgt: i + 1 }))) };
    const model = new Seq2Seq(tinyConfig('rnnsearch'));
    const trainer = new Trainer(model, { learningRate: 1e-3 });
    const built = vi.spyOn(OrtTrainer, 'fromModel');
    try {
      await (ortEngine(trainer, { grid: plan, threads: 1 })).dispose();
      await (ortEngine(trainer, { grid: DEFAULT_GRID, threads: 1 })).dispose();
      await (ortEngine(trainer, { grid: plan, threads: 1, maxSessions: 5 })).dispose();
      expect(built.mock.calls.map(([, o]) => [o?.maxSessions, o?.maxEvalSessions])).toEqual([[112, 112], [64, 32], [5, 112]]);
    } finally {
      built.mockRestore();
      trainer.dispose();
      model.dispose();
    }
  });
});
