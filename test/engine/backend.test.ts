import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../engine/backend.ts';

function tfjsNodeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

// One process starts one backend, so the refusals run first and the successful start last.
describe('initBackend', () => {
  const saved = process.env.PARLEY_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.PARLEY_BACKEND;
    else process.env.PARLEY_BACKEND = saved;
  });

  it('refuses an unknown PARLEY_BACKEND by name', async () => {
    process.env.PARLEY_BACKEND = 'webgpu';
    await expect(initBackend({ quiet: true })).rejects.toThrow(/PARLEY_BACKEND=webgpu is not one of tensorflow, wasm, cpu/);
  });

  it('refuses an unknown PARLEY_NATIVE_MATMUL value', async () => {
    process.env.PARLEY_NATIVE_MATMUL = 'yes';
    try {
      await expect(initBackend({ backend: 'cpu', quiet: true })).rejects.toThrow(/PARLEY_NATIVE_MATMUL=yes must be 0 or 1/);
    } finally {
      delete process.env.PARLEY_NATIVE_MATMUL;
    }
  });

  it('refuses a PARLEY_THREADS value that is not a positive integer', async () => {
    for (const bad of ['0', 'two', '1.5']) {
      process.env.PARLEY_THREADS = bad;
      try {
        await expect(initBackend({ backend: 'cpu', quiet: true })).rejects.toThrow(`PARLEY_THREADS=${bad} must be an integer from 1 to 256`);
      } finally {
        delete process.env.PARLEY_THREADS;
      }
    }
  });

  it.skipIf(tfjsNodeInstalled())('says so when a forced tensorflow backend is not installed', async () => {
    await expect(initBackend({ backend: 'tensorflow', quiet: true })).rejects.toThrow(
      /backend tensorflow was requested but is unavailable: @tensorflow\/tfjs-node not loadable/,
    );
  });

  it('starts the backend PARLEY_BACKEND names, reports it, and returns the same info again', async () => {
    process.env.PARLEY_BACKEND = 'cpu';
    const info = await initBackend({ quiet: true });
    expect(info).toMatchObject({ name: 'cpu', threads: 1, nativeMatMul: false, version: tf.version_core });
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend({ quiet: true })).toBe(info);
    expect(await initBackend({ backend: 'cpu' })).toBe(info);
  });

  it('refuses to switch to another backend once started', async () => {
    await expect(initBackend({ backend: 'wasm' })).rejects.toThrow(/already started; cannot switch to wasm/);
  });

  it('registers tfjs-core gradients', () => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
  });
});

/** Runs initBackend() in a fresh process started from another cwd; returns its info and stderr. */
function startElsewhere(env: Record<string, string>): { info: Record<string, unknown>; stderr: string } {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  const backend = new URL('../../engine/backend.ts', import.meta.url).href;
  const code = `const { initBackend } = await import(${JSON.stringify(backend)});
    process.stdout.write(JSON.stringify(await initBackend()));`;
  const child = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], {
    cwd: os.tmpdir(),
    env: { ...process.env, PARLEY_BACKEND: '', PARLEY_NATIVE_MATMUL: '', PARLEY_THREADS: '', ...env },
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr.slice(-2000)}`);
  return { info: JSON.parse(child.stdout) as Record<string, unknown>, stderr: child.stderr };
}

describe.skipIf(tfjsNodeInstalled())('initBackend choosing automatically (tfjs-node absent)', () => {
  it('picks wasm with the native matmul route from any cwd and logs one line', () => {
    const { info, stderr } = startElsewhere({});
    expect(info).toMatchObject({ name: 'wasm', threads: 1, nativeMatMul: true, nativeMatMulThreads: 2, nativeMatMulMinRows: 8 });
    expect(stderr.split('\n').filter((l) => l.startsWith('parley: '))).toEqual([
      'parley: tfjs 4.22.0 backend wasm (1 thread, native matmul on (onnxruntime 1.30.0, 2 threads, >= 8 rows))',
    ]);
  });

  it('gives the native route the threads PARLEY_THREADS asks for', () => {
    const { info, stderr } = startElsewhere({ PARLEY_THREADS: '1' });
    expect(info).toMatchObject({ name: 'wasm', nativeMatMul: true, nativeMatMulThreads: 1 });
    expect(stderr).toContain('onnxruntime 1.30.0, 1 thread, >= 8 rows');
  });

  it('turns the native route off with PARLEY_NATIVE_MATMUL=0', () => {
    const { info, stderr } = startElsewhere({ PARLEY_NATIVE_MATMUL: '0' });
    expect(info).toMatchObject({ name: 'wasm', nativeMatMul: false, nativeMatMulNote: 'off by request' });
    expect(stderr).toContain('native matmul off (off by request)');
  });
});
