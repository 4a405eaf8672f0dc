import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Job, Queue } from 'bullmq';
import type { Evaluation } from '../evaluation.ts';
import type { RunOutcome, RunProgress } from '../executeRun.ts';
import type { PlannedRun, StudyPlan } from '../plan.ts';
import type { StudyProgress } from '../progress.ts';
import { runFiles } from '../runFiles.ts';
import { type LocalRunResult, asJob } from '../runner.ts';
import type { RedisLink } from './connection.ts';
import { QueueError } from './errors.ts';
import { DEFAULT_ATTEMPTS, KEEP_FINISHED_SECONDS, QUEUE_NAME, type QueuedResult, type QueuedRun, evaluationsKey } from './jobs.ts';

export interface QueueRunOptions {
  readonly link: RedisLink;
  /** The study file, absolute: workers load it for the evaluations. */
  readonly studyFile: string;
  readonly scale?: string;
  readonly evaluations: readonly Evaluation[];
  readonly progress?: StudyProgress;
  /** Aborting stops waiting (the queued runs go on on the workers; running again collects them). */
  readonly signal?: AbortSignal;
  readonly attempts?: number;
  readonly pollMs?: number;
  readonly log: (line: string) => void;
}

type StudyJob = Job<QueuedRun, QueuedResult>;

const isProgress = (p: unknown): p is RunProgress => typeof p === 'object' && p !== null && typeof (p as RunProgress).step === 'number';

/**
 * `pretext study run --queue`: puts the study's runs on the queue (job id = run id: queuing a run
 * again adds nothing) and waits for the workers, showing the local run's progress. A run is queued
 * once the run it starts from has finished. A run finished in an earlier session is collected from
 * its completed job; a job the queue lost is queued again. Result rows come back as job values.
 */
export async function runOnQueue(plan: StudyPlan, o: QueueRunOptions): Promise<LocalRunResult> {
  const queue = new Queue<QueuedRun, QueuedResult>(QUEUE_NAME, { connection: o.link.client });
  queue.on('error', o.link.onError);
  const studyDir = resolve(plan.dir);
  const evaluations = evaluationsKey(o.evaluations);
  const outcomes = new Map<string, RunOutcome>();
  const failed = new Map<string, string>();
  const held = new Map(plan.runs.map((r) => [r.id, r]));
  const queued = new Map<string, PlannedRun>();
  const started = new Set<string>();

  const add = async (r: PlannedRun) => {
    const run = { ...asJob(r), runDir: resolve(r.runDir) };
    await queue.add('run', { run, studyFile: o.studyFile, ...(o.scale !== undefined ? { scale: o.scale } : {}), studyDir, evaluations }, {
      jobId: r.id,
      attempts: o.attempts ?? DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: KEEP_FINISHED_SECONDS },
      removeOnFail: { age: KEEP_FINISHED_SECONDS },
    });
    queued.set(r.id, r);
  };
  const start = (r: PlannedRun) => {
    if (started.has(r.id)) return;
    started.add(r.id);
    o.progress?.start(r.id, r.label);
  };
  const settle = (r: PlannedRun, job: StudyJob, state: string): boolean => {
    if (state === 'completed') {
      start(r);
      outcomes.set(r.id, job.returnvalue);
      o.progress?.finish(r.id, 'finished');
    } else if (state === 'failed') {
      start(r);
      failed.set(r.id, job.failedReason);
      o.progress?.finish(r.id, 'failed');
    } else return false;
    queued.delete(r.id);
    return true;
  };
  /** A completed job from an earlier session holds this study's results (not another folder's, not older evaluations'). */
  const current = (r: PlannedRun, job: StudyJob) =>
    job.data.studyDir === studyDir && job.data.evaluations === evaluations && job.returnvalue?.status === 'done' && existsSync(runFiles(resolve(r.runDir)).done);
  /** A job and its state, the state read first: a job read before its state may predate its result. */
  const lookup = async (id: string): Promise<{ job: StudyJob; state: string } | undefined> => {
    const state = await queue.getJobState(id);
    const job = state === 'unknown' ? undefined : await queue.getJob(id);
    return job ? { job, state } : undefined;
  };
  const enqueue = async (r: PlannedRun) => {
    const found = await lookup(r.id);
    if (found) {
      const { job, state } = found;
      if (state === 'completed' && current(r, job)) {
        queued.set(r.id, r);
        settle(r, job, state);
        return;
      }
      // a failed run is tried again, as a local rerun does; a stale result is redone
      if (state === 'completed' || state === 'failed') await job.remove();
      else if (job.data.studyDir !== studyDir) {
        throw new QueueError(`run ${r.id} is already on the queue at ${o.link.target.shown} for another study folder (${job.data.studyDir}); let it finish there, or give this study another Redis database (redis://HOST:PORT/DB)`, { run: r.id });
      } else {
        queued.set(r.id, r);
        return;
      }
    }
    await add(r);
  };
  /** Queues the runs whose dependency has finished; those whose dependency failed fail too. */
  const release = async () => {
    for (const r of [...held.values()]) {
      const dep = r.dependsOn;
      if (dep !== undefined && failed.has(dep)) {
        held.delete(r.id);
        failed.set(r.id, `it starts from run ${dep}, which failed`);
        o.progress?.finish(r.id, 'skipped');
      } else if (dep === undefined || outcomes.has(dep)) {
        held.delete(r.id);
        await enqueue(r);
      }
    }
  };
  const poll = async (r: PlannedRun) => {
    const found = await lookup(r.id);
    if (!found) {
      o.log(`run ${r.id} is no longer on the queue (Redis restarted without its data?); queuing it again`);
      await add(r);
      return;
    }
    const { job, state } = found;
    if (settle(r, job, state)) return;
    if (state === 'active') {
      start(r);
      if (isProgress(job.progress)) o.progress?.update(job.progress);
    }
  };

  const sleep = (ms: number) => new Promise<void>((done) => {
    const wake = () => {
      clearTimeout(t);
      o.signal?.removeEventListener('abort', wake);
      done();
    };
    const t = setTimeout(wake, ms);
    o.signal?.addEventListener('abort', wake);
  });
  try {
    await queue.waitUntilReady();
    await release();
    if (queued.size > 0) o.log(`queued ${queued.size} of ${plan.runs.length} runs on ${o.link.target.shown}; waiting for workers (pretext study worker --queue ${o.link.target.shown})`);
    while ((queued.size > 0 || held.size > 0) && !o.signal?.aborted) {
      await Promise.all([...queued.values()].map(poll));
      await release();
      if (queued.size > 0) await sleep(o.pollMs ?? 250);
    }
  } finally {
    await queue.close();
  }
  return { outcomes: [...outcomes.values()], failed: [...failed].map(([id, message]) => ({ id, message })), interrupted: o.signal?.aborted === true && (queued.size > 0 || held.size > 0) };
}
