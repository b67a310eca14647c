// Learning-rate schedules, as a pure function of the step so that a resumed run continues exactly.
import { z } from 'zod';

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  /** Linear warm-up then decay ∝ 1/√step (Vaswani et al. 2017). */
  z.strictObject({ kind: z.literal('inverse-sqrt'), warmup: z.number().int().min(1) }),
  /** Multiply by `factor` every `every` steps after `start` (Sutskever et al. 2014 halved after 5 epochs). */
  z.strictObject({ kind: z.literal('step-decay'), start: z.number().int().min(0), every: z.number().int().min(1), factor: z.number().gt(0).max(1) }),
]);

export type Schedule = z.infer<typeof scheduleSchema>;

/** Learning rate at 1-based update `step`, from the peak rate `base`. */
export function learningRateAt(schedule: Schedule, base: number, step: number): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'inverse-sqrt':
      return step < schedule.warmup ? (base * step) / schedule.warmup : base * Math.sqrt(schedule.warmup / step);
    case 'step-decay':
      return step <= schedule.start ? base : base * schedule.factor ** Math.floor((step - schedule.start) / schedule.every);
  }
}
