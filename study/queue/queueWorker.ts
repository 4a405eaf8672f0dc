import { hostname } from 'node:os';
import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { PretextError } from '../../util/errors.ts';
import type { RunProgress } from '../executeRun.ts';
import type { RedisLink } from './connection.ts';
import { QUEUE_NAME, type QueuedResult, type QueuedRun } from './jobs.ts';
import { SlotPool } from './slotPool.ts';
import { checkStudyFolder } from './studyFolder.ts';

export interface QueueWorkerOptions {
  readonly link: RedisLink;
  /** Runs at a time (each in its own process). */
  readonly concurrency: number;
  /**
   * A job whose worker has not renewed its lock for this long (the process died, the machine was
   * lost) goes back on the queue for another worker, which resumes the run from its checkpoint.
   */
  readonly lockSeconds: number;
  readonly log: (line: string) => void;
  /** Stops the worker: runs stop after their current update and go back on the queue. */
  readonly signal: AbortSignal;
}

/** Progress goes to Redis at most this often per run. */
const PROGRESS_EVERY_MS = 250;

/**
 * `pretext study worker`: takes study runs off the queue and runs each with the local runner's job
 * function (in a forked runner process), returning its outcome (result rows) as the job's value.
 * A run's own failure fails its job at once (UnrecoverableError); anything else is retried.
 */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<void> {
  const name = `${hostname()}:${process.pid}`;
  const say = (line: string) => o.log(`worker ${name}: ${line}`);
  const running = new Map<string, { job: Job<QueuedRun, QueuedResult>; sentAt: number }>();
  const onProgress = (p: RunProgress) => {
    const r = running.get(p.id);
    if (!r || (Date.now() - r.sentAt < PROGRESS_EVERY_MS && p.step < p.total)) return;
    r.sentAt = Date.now();
    // while Redis is away progress is dropped (the connection's line says so); the run goes on
    r.job.updateProgress({ ...p }).catch(() => {});
  };
  const pool = new SlotPool(o.concurrency, onProgress, o.signal);

  const processJob = async (job: Job<QueuedRun, QueuedResult>, token?: string): Promise<QueuedResult> => {
    const { run, studyFile, studyDir, scale } = job.data;
    const attempt = `attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1}`;
    try {
      checkStudyFolder(studyDir);
    } catch (e) {
      say(`run ${run.id}: ${(e as Error).message} (${attempt})`);
      throw e;
    }
    say(`run ${run.id} started (${attempt})`);
    const t0 = Date.now();
    running.set(run.id, { job, sentAt: 0 });
    try {
      const outcome = await pool.run(studyFile, scale, run);
      if (outcome.status === 'interrupted') {
        // stopped here (this worker is shutting down): back to waiting without using up an attempt
        await job.moveToWait(token);
        say(`run ${run.id} stopped at its checkpoint; back on the queue`);
        throw new WaitingError();
      }
      say(`run ${run.id} finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return outcome;
    } catch (e) {
      if (e instanceof WaitingError) throw e;
      if (e instanceof PretextError) {
        say(`run ${run.id} failed (its own fault, not retried): ${e.message}`);
        throw new UnrecoverableError(e.message);
      }
      say(`run ${run.id} failed (${attempt}): ${(e as Error).message}`);
      throw e;
    } finally {
      running.delete(run.id);
    }
  };

  const worker = new Worker<QueuedRun, QueuedResult>(QUEUE_NAME, processJob, {
    connection: o.link.client,
    concurrency: o.concurrency,
    name,
    lockDuration: o.lockSeconds * 1000,
    stalledInterval: (o.lockSeconds * 1000) / 2,
    // a run is taken back from dead workers this many times before it counts as failed
    maxStalledCount: 3,
    autorun: false,
  });
  worker.on('error', o.link.onError);
  worker.on('stalled', (id) => say(`run ${id}: its worker stopped renewing its lock (died?); back on the queue`));
  worker.on('lockRenewalFailed', (ids) => {
    for (const id of ids) {
      // another worker may take the run over: stop it here rather than train it twice
      say(`run ${id}: lost its lock (Redis away too long?); stopping it here, it resumes from its checkpoint`);
      pool.abandon(id);
    }
  });
  const stopped = new Promise<void>((resolve) => (o.signal.aborted ? resolve() : o.signal.addEventListener('abort', () => resolve(), { once: true })));
  await worker.waitUntilReady();
  say(`taking study runs from ${o.link.target.shown} (${o.concurrency} at a time)`);
  const running$ = worker.run();
  await Promise.race([stopped, running$]);
  await worker.close();
  await running$.catch(() => {});
  pool.close();
  say('stopped');
}
