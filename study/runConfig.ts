import { isAbsolute, resolve } from 'node:path';
import { decodeOrThrow } from '../cli/options.ts';
import { type TrainConfig, TrainConfigCodec } from '../cli/train/trainConfig.ts';
import { applyPreset, readPreset } from '../cli/train/presets.ts';
import { type TrainJob, type TrainOverrides, jobJson, resolveTrainJob } from '../cli/train/resolveJob.ts';
import { type Budget, checkBudget, stepsForFlops, stepsForTokens } from './budget.ts';
import { contentHash } from './canonical.ts';
import { StudyError } from './errors.ts';

/**
 * What a runner needs to train and evaluate one run, as JSON (a worker process or a queue gets
 * this): the run config, its resolved step count and where it starts from.
 */
export interface RunSpec {
  /** `<objective>-<12 hex digits>`: a hash of everything that decides the run's bits. */
  readonly id: string;
  /** The run config as written (dotted keys expanded, the study's base merged in); `init` is the id of the run it continues. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Folder the study file's relative paths (corpus, init) are relative to. */
  readonly baseDir: string;
  /** Updates (from the budget). */
  readonly steps: number;
  /** Wall-clock budget (stops the run; not reproducible). */
  readonly seconds?: number;
  /** The run (id) whose final checkpoint this run starts from (SE continues an MLM run). */
  readonly dependsOn?: string;
  /** A checkpoint or run folder this run starts from, when `init` names one (absolute). */
  readonly initFrom?: string;
}

interface SplitConfig {
  readonly corpus: string;
  readonly train: TrainConfig;
  readonly flags: TrainOverrides;
  readonly budget?: Budget;
  readonly init: unknown;
}

/**
 * A run config split into `pretext train`'s JSON config (validated by the same codec: an unknown
 * or mistyped key is an error naming it) and what its flags would say: `preset` (--preset, under
 * the config), `corpus` (relative to baseDir), `seed` (--seed), `train.lr` (--lr); plus the
 * study's `budget` and `init`.
 */
function splitConfig(config: Readonly<Record<string, unknown>>, baseDir: string, where: string): SplitConfig {
  const { corpus, seed, budget, init, preset, ...trainConfig } = config;
  if (preset !== undefined && typeof preset !== 'string') throw new StudyError(`${where}: "preset" must be a preset name, got ${JSON.stringify(preset)}`, { field: 'preset' });
  if (typeof corpus !== 'string') throw new StudyError(`${where}: "corpus" (the dataset folder) must be a string, got ${JSON.stringify(corpus)}`, { field: 'corpus' });
  if (seed !== undefined && !(Number.isInteger(seed) && (seed as number) >= 0)) throw new StudyError(`${where}: "seed" must be a non-negative integer, got ${JSON.stringify(seed)}`, { field: 'seed' });
  const { lr, ...trainSection } = (trainConfig['train'] ?? {}) as Record<string, unknown>;
  if (lr !== undefined && !(typeof lr === 'number' && lr > 0)) throw new StudyError(`${where}: "train.lr" must be a positive number, got ${JSON.stringify(lr)}`, { field: 'train.lr' });
  const own = decodeOrThrow(TrainConfigCodec, { ...trainConfig, ...(trainConfig['train'] !== undefined ? { train: trainSection } : {}) }, where);
  const train = preset !== undefined ? applyPreset(readPreset(preset), own) : own;
  const flags: TrainOverrides = { corpus: isAbsolute(corpus) ? corpus : resolve(baseDir, corpus), ...(seed !== undefined ? { seed: seed as number } : {}), ...(lr !== undefined ? { lr: lr as number } : {}) };
  return { corpus, train, flags, ...(budget !== undefined ? { budget: checkBudget(budget, where) } : {}), init };
}

function runId(s: SplitConfig, job: TrainJob, seconds: number | undefined, init: string | undefined): string {
  // the corpus as written (not the absolute path), so a study folder moved or shared keeps its ids
  return `${job.objectiveName}-${contentHash({ job: { ...jobJson(job), corpus: s.corpus }, ...(seconds !== undefined ? { seconds } : {}), ...(init !== undefined ? { init } : {}) })}`;
}

/**
 * Resolves a run config (nested, as expandDotted gives it) to its spec: the budget becomes a step
 * count (tokens and FLOPs exactly, by the job's shapes and the traced step), and an `init` that is
 * a run config becomes a dependency, resolved by `dependency`.
 */
export function resolveRun(config: Readonly<Record<string, unknown>>, baseDir: string, dependency: (init: Readonly<Record<string, unknown>>) => RunSpec, where: string): RunSpec & { readonly job: TrainJob } {
  const s = splitConfig(config, baseDir, where);
  const { budget } = s;
  const explicitSteps = budget && 'steps' in budget ? budget.steps : undefined;
  let job = resolveTrainJob(s.train, { ...s.flags, ...(explicitSteps !== undefined ? { steps: explicitSteps } : budget ? { steps: 1 } : {}) });
  if (budget && 'tokens' in budget) job = resolveTrainJob(s.train, { ...s.flags, steps: stepsForTokens(job, budget.tokens) });
  if (budget && 'flops' in budget) job = resolveTrainJob(s.train, { ...s.flags, steps: stepsForFlops(job, budget.flops) });
  if (budget && 'seconds' in budget && explicitSteps === undefined) {
    if (s.train.train?.steps === undefined) throw new StudyError(`${where}: a seconds budget needs a step count for the schedule (budget.steps or train.steps)`, { field: 'budget.steps' });
    job = resolveTrainJob(s.train, { ...s.flags, steps: s.train.train.steps });
  }
  let dependsOn: string | undefined;
  let initFrom: string | undefined;
  if (typeof s.init === 'string') initFrom = isAbsolute(s.init) ? s.init : resolve(baseDir, s.init);
  else if (typeof s.init === 'object' && s.init !== null && !Array.isArray(s.init)) dependsOn = dependency(s.init as Record<string, unknown>).id;
  else if (s.init !== undefined) throw new StudyError(`${where}: "init" must be a checkpoint path or a run config, got ${JSON.stringify(s.init)}`, { field: 'init' });
  const seconds = budget && 'seconds' in budget ? budget.seconds : undefined;
  return {
    id: runId(s, job, seconds, dependsOn ?? (typeof s.init === 'string' ? s.init : undefined)),
    config: { ...config, ...(dependsOn ? { init: dependsOn } : {}) },
    baseDir,
    steps: job.steps,
    job,
    ...(seconds !== undefined ? { seconds } : {}),
    ...(dependsOn ? { dependsOn } : {}),
    ...(initFrom ? { initFrom } : {}),
  };
}

/**
 * The training job of a spec (in a worker: no budget conversion, the steps are given). Checks that
 * the config still gives the spec's id, so a worker with other code or data refuses the run.
 */
export function trainJobOf(spec: RunSpec): TrainJob {
  const s = splitConfig(spec.config, spec.baseDir, `run ${spec.id}`);
  const job = resolveTrainJob(s.train, { ...s.flags, steps: spec.steps });
  const id = runId(s, job, spec.seconds, spec.dependsOn ?? (typeof s.init === 'string' ? s.init : undefined));
  if (id !== spec.id) throw new StudyError(`run ${spec.id}: its config resolves to run ${id} here (different code, presets or data?)`, { run: spec.id, resolved: id });
  return job;
}
