// One optimisation step at a time: teacher-forced loss, gradients, global-norm clipping, Adam with a
// learning-rate schedule; seeded dropout. Owns the state a checkpoint must save to resume exactly.
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Seq2Seq } from '../models/seq2seq.ts';
import { Random } from '../random.ts';
import { Adam } from './adam.ts';
import type { TensorBatch } from './batch.ts';
import { clipScale } from './clip.ts';
import { learningRateAt, scheduleSchema } from './schedule.ts';

export const trainingOptionsSchema = z.strictObject({
  learningRate: z.number().gt(0).max(10),
  clipNorm: z.number().min(0),
  schedule: scheduleSchema,
  labelSmoothing: z.number().min(0).max(0.5),
  seed: z.number().int().min(0),
});
export type TrainingOptions = z.infer<typeof trainingOptionsSchema>;

export const defaultTrainingOptions: TrainingOptions = {
  learningRate: 1e-3,
  clipNorm: 5,
  schedule: { kind: 'constant' },
  labelSmoothing: 0,
  seed: 1,
};

export interface StepReport {
  step: number;
  loss: number;
  gradNorm: number;
  learningRate: number;
  targetTokens: number;
}

export class Trainer {
  readonly optimizer: Adam;
  readonly rng: Random;
  readonly options: TrainingOptions;

  constructor(readonly model: Seq2Seq, options: Partial<TrainingOptions> = {}) {
    this.options = trainingOptionsSchema.parse({ ...defaultTrainingOptions, ...options });
    this.optimizer = new Adam(model.params);
    this.rng = new Random(this.options.seed);
  }

  get step(): number {
    return this.optimizer.t;
  }

  trainStep(batch: TensorBatch): StepReport {
    const training = { dropout: this.model.config.dropout, rng: this.rng };
    const names = this.model.params.names();
    const vars = names.map((n) => this.model.params.get(n));
    const { value, grads } = tf.variableGrads(() => this.model.loss(batch, training, this.options.labelSmoothing), vars);
    const byName = new Map(names.map((n) => [n, grads[this.model.params.get(n).name]!] as const).filter(([, g]) => g));
    const { norm, scale } = clipScale(byName.values(), this.options.clipNorm);
    const learningRate = learningRateAt(this.options.schedule, this.options.learningRate, this.step + 1);
    this.optimizer.apply(byName, learningRate, scale);
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return { step: this.step, loss, gradNorm: norm, learningRate, targetTokens: batch.targetTokens };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
