// Which engine `parley train` uses when none is asked for.
import { describe, expect, it } from 'vitest';
import { chooseEngine } from '../../../engine/ort-training/train-engine.ts';

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
