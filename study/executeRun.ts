import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runTrainJob } from '../cli/train/runJob.ts';
import { runEntries } from '../cli/train/runFolder.ts';
import { latestCheckpoint } from '../models/checkpoint/index.ts';
import type { StepLog } from '../train/loop.ts';
import { contentHash } from './canonical.ts';
import { StudyError } from './errors.ts';
import { type Evaluation, evalRows } from './evaluation.ts';
import { type StudyRow, trainingRows } from './runRows.ts';
import { type DoneRecord, readJsonIfPresent, runFiles, writeJson } from './runFiles.ts';
import { type RunSpec, trainJobOf } from './runConfig.ts';

/** Where an evaluation's rows are cached: by its name and options. */
const evalFile = (runDir: string, e: Evaluation): string =>
  join(runFiles(runDir).evals, `${e.name.replace(/[^A-Za-z0-9._-]/g, '_')}-${contentHash({ name: e.name, options: e.options ?? null })}.json`);

/**
 * The rows a finished run's folder holds (undefined while it has not finished): its training log,
 * train_seconds, and each evaluation's cached rows (those not run yet are absent).
 */
export function storedRows(id: string, runDir: string, evaluations: readonly Evaluation[]): StudyRow[] | undefined {
  const files = runFiles(runDir);
  const done = readJsonIfPresent<DoneRecord>(files.done);
  if (!done) return undefined;
  const rows: StudyRow[] = [...trainingRows(id, files.log), { run: id, metric: 'train_seconds', value: done.seconds, step: done.steps }];
  for (const e of evaluations) rows.push(...(readJsonIfPresent<StudyRow[]>(evalFile(runDir, e)) ?? []));
  return rows;
}

/** A run for the runner: its spec and its folder. */
export interface RunJob extends RunSpec {
  /** <study folder>/runs/<id>; a dependency's folder is its sibling. */
  readonly runDir: string;
}

export interface RunProgress {
  readonly id: string;
  readonly step: number;
  readonly total: number;
  readonly loss: number;
}

export interface RunJobOptions {
  readonly evaluations?: readonly Evaluation[];
  readonly onProgress?: (p: RunProgress) => void;
  /** Stops training cleanly (a checkpoint is written), as Ctrl-C does. */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

export interface RunOutcome {
  readonly id: string;
  readonly runDir: string;
  /** 'interrupted': stopped before the end (a checkpoint is saved; running it again resumes). */
  readonly status: 'done' | 'interrupted';
  readonly rows: readonly StudyRow[];
}

/**
 * The runner's one job, the same locally and on a queue: trains a run unless its folder says it
 * finished (resuming from its latest checkpoint if it has one), evaluates its final checkpoint
 * with each evaluation not cached yet, and returns its result rows. Everything it knows is in
 * the spec and the run folder, so any process that sees the folder can pick the run up.
 */
export async function executeRun(job: RunJob, o: RunJobOptions = {}): Promise<RunOutcome> {
  const files = runFiles(job.runDir);
  const say = o.log ?? (() => {});
  writeJson(files.spec, { id: job.id, config: job.config, steps: job.steps, ...(job.seconds !== undefined ? { seconds: job.seconds } : {}), ...(job.dependsOn ? { dependsOn: job.dependsOn } : {}) });
  let done = readJsonIfPresent<DoneRecord>(files.done);
  if (!done) {
    const trainJob = trainJobOf(job);
    const initFrom = job.initFrom ?? (job.dependsOn ? runFiles(join(dirname(job.runDir), job.dependsOn)).train : undefined);
    if (initFrom && !latestCheckpoint(initFrom) && !existsSync(join(initFrom, 'config.json'))) {
      throw new StudyError(`run ${job.id}: it starts from ${initFrom}, which holds no checkpoint${job.dependsOn ? ` (run ${job.dependsOn} has not finished)` : ''}`, { run: job.id, init: initFrom });
    }
    const resume = latestCheckpoint(files.train) !== undefined;
    const before = readJsonIfPresent<{ seconds: number }>(files.seconds)?.seconds ?? 0;
    let seconds = before;
    let lastWrite = 0;
    const onStep = (l: StepLog) => {
      seconds += l.ms / 1000;
      if (seconds - lastWrite >= 1) {
        writeJson(files.seconds, { seconds });
        lastWrite = seconds;
      }
      o.onProgress?.({ id: job.id, step: l.step + 1, total: job.steps, loss: l.loss });
    };
    say(`${job.id}: ${resume ? 'resuming' : 'training'} (${job.steps} steps)`);
    const result = await runTrainJob(trainJob, {
      out: files.train,
      resume,
      // a run stopped before its first checkpoint starts again from scratch
      ...(!resume && runEntries(files.train).length > 0 ? { overwrite: true } : {}),
      progress: false,
      log: say,
      onStep,
      ...(initFrom ? { initFrom } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(job.seconds !== undefined ? { stopAfterSeconds: Math.max(0, job.seconds - before) } : {}),
    });
    writeJson(files.seconds, { seconds });
    if (result.interrupted) return { id: job.id, runDir: job.runDir, status: 'interrupted', rows: [] };
    done = { steps: result.steps, seconds, stoppedBy: result.timeLimitReached ? 'seconds' : 'steps', finishedAt: new Date().toISOString() };
    writeJson(files.done, done);
  }
  const checkpoint = latestCheckpoint(files.train);
  for (const e of o.evaluations ?? []) {
    if (o.signal?.aborted) return { id: job.id, runDir: job.runDir, status: 'interrupted', rows: [] };
    const file = evalFile(job.runDir, e);
    if (existsSync(file)) continue;
    if (!checkpoint) throw new StudyError(`run ${job.id}: ${files.train} holds no checkpoint to evaluate`, { run: job.id });
    say(`${job.id}: evaluating ${e.name}`);
    const out = await e.run({ runId: job.id, runDir: files.train, checkpoint, step: done.steps, config: job.config, job: trainJobOf(job) });
    writeJson(file, evalRows(e.name, out, job.id, done.steps));
  }
  const rows = storedRows(job.id, job.runDir, o.evaluations ?? []);
  return { id: job.id, runDir: job.runDir, status: 'done', rows: rows ?? [] };
}
