import * as t from 'io-ts';

/**
 * Learning-rate schedules (pure functions of the step). 'linear' warms up linearly then decays
 * linearly to 0 at totalSteps (BERT, HF); 'polynomial' decays with the given power (fairseq's
 * polynomial_decay, power 1 = linear, to endLr); 'constant' warms up then stays.
 */
export type Schedule =
  | { readonly kind: 'constant'; readonly lr: number; readonly warmupSteps?: number }
  | { readonly kind: 'linear'; readonly lr: number; readonly warmupSteps: number; readonly totalSteps: number }
  | { readonly kind: 'polynomial'; readonly lr: number; readonly warmupSteps: number; readonly totalSteps: number; readonly power?: number; readonly endLr?: number };

export const ScheduleCodec: t.Type<Schedule> = t.union([
  t.intersection([t.type({ kind: t.literal('constant'), lr: t.number }), t.partial({ warmupSteps: t.number })]),
  t.type({ kind: t.literal('linear'), lr: t.number, warmupSteps: t.number, totalSteps: t.number }),
  t.intersection([
    t.type({ kind: t.literal('polynomial'), lr: t.number, warmupSteps: t.number, totalSteps: t.number }),
    t.partial({ power: t.number, endLr: t.number }),
  ]),
]) as unknown as t.Type<Schedule>;

/** Learning rate at (0-based) step `step`. */
export function learningRate(s: Schedule, step: number): number {
  const warm = s.warmupSteps ?? 0;
  if (warm > 0 && step < warm) return (s.lr * (step + 1)) / warm;
  switch (s.kind) {
    case 'constant':
      return s.lr;
    case 'linear':
      return s.lr * Math.max(0, (s.totalSteps - step) / Math.max(1, s.totalSteps - warm));
    case 'polynomial': {
      const end = s.endLr ?? 0;
      const frac = Math.max(0, (s.totalSteps - step) / Math.max(1, s.totalSteps - warm));
      return (s.lr - end) * frac ** (s.power ?? 1) + end;
    }
  }
}
