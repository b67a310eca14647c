// Which engine `parley train` uses when none is asked for, and what it says when one cannot be used.
import { describe, expect, it } from 'vitest';
import { chooseEngine } from '../../../engine/ort-training/train-engine.ts';
import { tinyConfig } from '../../helpers/tiny.ts';

describe('chooseEngine', () => {
  const gru = tinyConfig('rnnsearch', { dropout: 0.1 });
  const lstm = tinyConfig('seq2seq-lstm');

  it('picks onnxruntime for a model it builds on the wasm and cpu backends', () => {
    expect(chooseEngine(undefined, gru, 'wasm')).toEqual({ name: 'onnxruntime', why: 'fastest available' });
    expect(chooseEngine(undefined, gru, 'cpu').name).toBe('onnxruntime');
  });

  it('keeps tfjs on the native tfjs-node backend and for models the ORT engine does not build', () => {
    expect(chooseEngine(undefined, gru, 'tensorflow')).toEqual({ name: 'tfjs', why: 'tfjs-node native backend' });
    const fallback = chooseEngine(undefined, lstm, 'wasm');
    expect(fallback.name).toBe('tfjs');
    expect(fallback.why).toMatch(/LSTM cells/);
  });

  it('obeys an explicit choice and refuses onnxruntime for a model it cannot build', () => {
    expect(chooseEngine('tfjs', gru, 'wasm')).toEqual({ name: 'tfjs', why: 'asked for' });
    expect(chooseEngine('onnxruntime', gru, 'tensorflow')).toEqual({ name: 'onnxruntime', why: 'asked for' });
    expect(() => chooseEngine('onnxruntime', lstm, 'wasm')).toThrow(/LSTM cells.*--engine tfjs/);
  });
});
