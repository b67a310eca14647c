// RnnStack's inference path (each step in its own tidy, spent steps released) against the path a
// gradient is taken through: the same outputs and final states, padded rows and both directions
// included, and nothing left behind once the caller's tidy ends.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../engine/backend.ts';
import { RnnStack } from '../../../engine/cells/rnn.ts';
import type { CellKind } from '../../../engine/config.ts';
import { ParamStore } from '../../../engine/models/params.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('RnnStack inference', () => {
  for (const [cell, bidirectional] of [['gru', false], ['lstm', false], ['gru', true], ['lstm', true]] as [CellKind, boolean][]) {
    it(`gives the training path's outputs and finals (${cell}, ${bidirectional ? 'bidirectional' : 'one direction'}), padded rows included`, () => {
      const params = new ParamStore(3);
      const rnn = new RnnStack(params, 'enc', { cell, input: 5, hidden: 4, layers: 2, bidirectional, peephole: false });
      const x = tf.randomNormal([3, 6, 5], 0, 1, 'float32', 7);
      const lengths = [6, 2, 4];
      const before = tf.memory().numTensors;
      const run = (inference: boolean) => tf.tidy(() => {
        const r = rnn.run(x, { lengths, inference });
        return [r.outputs, ...r.finals.flatMap((f) => (f.c ? [f.h, f.c] : [f.h]))];
      });
      const trained = run(false);
      const inferred = run(true);
      expect(tf.memory().numTensors).toBe(before + 2 * trained.length);
      expect(inferred.map((t) => t.shape)).toEqual(trained.map((t) => t.shape));
      inferred.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(trained[i]!.dataSync())));
      tf.dispose([...trained, ...inferred, x]);
      params.dispose();
    });
  }
});
