import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, DecodeScheduler, type DecodeRequest } from '../../../engine/decoding/index.ts';
import { withoutTiming } from './helpers/strip.ts';
import { TensorModel } from './helpers/tensor-model.ts';

let model: TensorModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = new TensorModel(24, 8, 5);
});

afterAll(() => model.dispose());

const requests: DecodeRequest[] = [
  { source: [4, 5, 6, 7, 8], options: { strategy: 'greedy', maxLength: 8 } },
  { source: [9], options: { beamSize: 4, nBest: 3, maxLength: 8, returnAttention: true, coveragePenalty: 0.3 } },
  { source: [10, 11, 12], options: { strategy: 'sample', seed: 3, nBest: 2, topP: 0.9, maxLength: 8 } },
  { source: [13, 14], options: { strategy: 'diverse-beam', beamSize: 4, beamGroups: 2, maxLength: 8, mmiAntiLm: { lambda: 0.3, gamma: 3 } } },
];

describe('decoding a tfjs model', () => {
  it('gives the same results batched as one by one, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const together = await decode(model, requests);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, request] of requests.entries()) {
      const [alone] = await decode(model, [request]);
      expect(withoutTiming(alone!)).toEqual(withoutTiming(together[i]!));
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaks no tensors when requests join mid-batch or are cancelled', async () => {
    const before = tf.memory().numTensors;
    const scheduler = new DecodeScheduler(model);
    const controller = new AbortController();
    const late: Promise<{ status: string }>[] = [];
    const first = scheduler.submit({
      source: [4, 5],
      options: { beamSize: 3, minLength: 6, maxLength: 8 },
      onPartial: (p) => {
        if (p.step === 4) controller.abort();
        if (p.step !== 2) return;
        const joining = [scheduler.submit(requests[1]!), scheduler.submit({ ...requests[2]!, signal: controller.signal })];
        late.push(...joining.map((j) => j.then((v) => ({ status: 'fulfilled', v }), (e: unknown) => ({ status: 'rejected', e }))));
      },
    });
    await first;
    const [joined, cancelled] = await Promise.all(late);
    expect(joined!.status).toBe('fulfilled');
    expect(cancelled!.status).toBe('rejected');
    await scheduler.close();
    expect(tf.memory().numTensors).toBe(before);
  });
});
