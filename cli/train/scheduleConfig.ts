import * as t from 'io-ts';
import type { Schedule } from '../../train/schedule.ts';
import { strictPartial } from '../../util/strictCodec.ts';
import { CliError } from '../options.ts';

const NonNegativeInt = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'non-negative integer');
const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'positive integer');
const Proportion = t.refinement(t.number, (n) => n >= 0 && n <= 1, 'number in [0, 1]');
const Kind = t.union([t.literal('constant'), t.literal('linear'), t.literal('polynomial')]);

/**
 * A learning-rate schedule as a config writes it: train/schedule.ts's kinds, where `totalSteps`
 * may be left out (the run's step count) and the warmup given as `warmupProportion` of totalSteps
 * instead of `warmupSteps`. Presets write it that way, so their published schedule (e.g. SE's 6000
 * warmup updates of 60000) is what a run of the published length gets, and `--steps N` scales it.
 */
export const ScheduleConfigCodec = t.intersection([
  t.type({ kind: Kind, lr: t.number }),
  strictPartial(
    { kind: Kind, lr: t.number, warmupSteps: NonNegativeInt, warmupProportion: Proportion, totalSteps: PositiveInt, power: t.number, endLr: t.number },
    'schedule',
  ),
]);

export type ScheduleConfig = t.TypeOf<typeof ScheduleConfigCodec>;

const fail = (field: string, message: string): never => {
  throw new CliError(`train.schedule.${field}: ${message}`, { field: `train.schedule.${field}` });
};

/**
 * The schedule of a run of `steps` updates at peak rate `lr`. Without a config schedule: linear,
 * 6% warmup, decaying to 0 at the last step.
 */
export function resolveSchedule(s: ScheduleConfig | undefined, steps: number, lr: number): Schedule {
  if (!s) return { kind: 'linear', lr, warmupSteps: Math.max(1, Math.round(0.06 * steps)), totalSteps: steps };
  if (s.warmupSteps !== undefined && s.warmupProportion !== undefined) fail('warmupProportion', 'give warmupSteps or warmupProportion, not both');
  if (s.kind !== 'polynomial') for (const k of ['power', 'endLr'] as const) if (s[k] !== undefined) fail(k, `only a polynomial schedule has ${k} (kind is ${s.kind})`);
  if (s.kind === 'constant' && s.totalSteps !== undefined) fail('totalSteps', 'a constant schedule has no totalSteps');
  const totalSteps = s.totalSteps ?? steps;
  const warmupSteps = s.warmupSteps ?? Math.round((s.warmupProportion ?? 0) * totalSteps);
  switch (s.kind) {
    case 'constant':
      return { kind: 'constant', lr, warmupSteps };
    case 'linear':
      return { kind: 'linear', lr, warmupSteps, totalSteps };
    case 'polynomial':
      return { kind: 'polynomial', lr, warmupSteps, totalSteps, ...(s.power !== undefined ? { power: s.power } : {}), ...(s.endLr !== undefined ? { endLr: s.endLr } : {}) };
  }
}
