import { buildObjective, type TrainJob } from '../cli/train/resolveJob.ts';
import { StepRunner } from '../train/loop.ts';
import { tokenBatchFromRows } from '../train/tokenBatches.ts';
import { StudyError } from './errors.ts';

/**
 * How long a run trains: updates, training tokens (input positions, padding included: what the
 * step computes on), FLOPs (the compiled step's count), or wall-clock seconds. The first three are
 * converted to a step count before training, so the run is reproducible bit for bit; `seconds`
 * stops the run at the first update past the limit, which depends on the machine and its load:
 * not reproducible. Its `steps` (or train.steps) is the schedule's length and a cap.
 */
export type Budget =
  | { readonly steps: number }
  | { readonly tokens: number }
  | { readonly flops: number }
  | { readonly seconds: number; readonly steps?: number };

const KINDS = ['steps', 'tokens', 'flops', 'seconds'] as const;

/** Checks a budget object: exactly one of steps / tokens / flops / seconds (seconds may add steps), positive numbers. */
export function checkBudget(value: unknown, where: string): Budget {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StudyError(`${where}: budget must be an object such as { flops: 1e12 }, got ${JSON.stringify(value)}`, { field: 'budget' });
  const b = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(b)) {
    if (!(KINDS as readonly string[]).includes(k)) throw new StudyError(`${where}: unknown budget key "${k}" (steps | tokens | flops | seconds)`, { field: `budget.${k}` });
    const integer = k === 'steps';
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw new StudyError(`${where}: budget.${k} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`, { field: `budget.${k}`, value: v });
    }
  }
  const kinds = KINDS.filter((k) => k in b && !(k === 'steps' && 'seconds' in b));
  if (kinds.length !== 1) throw new StudyError(`${where}: budget needs exactly one of steps, tokens, flops, seconds; got ${JSON.stringify(b)}`, { field: 'budget' });
  return b as Budget;
}

/** Input positions of one update. */
export const tokensPerStep = (job: Pick<TrainJob, 'batchSize' | 'accumulate' | 'seqLen'>): number => job.batchSize * job.accumulate * job.seqLen;

/** Updates until `tokens` input positions have been trained on (rounded up). */
export const stepsForTokens = (job: Pick<TrainJob, 'batchSize' | 'accumulate' | 'seqLen'>, tokens: number): number => Math.max(1, Math.ceil(tokens / tokensPerStep(job)));

/**
 * Updates until the training FLOPs reach `flops` (rounded up), counting each update's variant
 * (ScTD's alignment steps are a different program) by tracing the step, without compiling it.
 */
export function stepsForFlops(job: TrainJob, flops: number, maxSteps = 10_000_000): number {
  const objective = buildObjective(job);
  const runner = new StepRunner({ objective, schedule: job.schedule, adamw: job.adamw, seed: job.seed, ...(job.clipNorm > 0 ? { clipNorm: job.clipNorm } : {}) }, StepRunner.initialState(objective, job.seed));
  const split = job.dataset.split('train');
  if (split.rows < job.batchSize) throw new StudyError(`budget.flops: the training split has ${split.rows} rows, fewer than one batch of ${job.batchSize}`, { field: 'budget.flops' });
  const micro = Array.from({ length: job.accumulate }, () => tokenBatchFromRows(split.readRange(0, job.batchSize), job.seqLen, 'budget.flops'));
  let total = 0;
  let steps = 0;
  while (total < flops) {
    if (steps >= maxSteps) throw new StudyError(`budget.flops ${flops.toExponential(3)} needs more than ${maxSteps} updates`, { field: 'budget.flops' });
    total += runner.stepFlops(steps, micro);
    steps++;
  }
  return steps;
}
