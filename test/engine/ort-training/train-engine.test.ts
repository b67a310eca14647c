// Which engine `parley train` uses when none is asked for.
import { describe, expect, it } from 'vitest';
import { chooseEngine, GLIBC_MALLOC_TUNABLES, mallocHint } from '../../../engine/ort-training/train-engine.ts';

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
