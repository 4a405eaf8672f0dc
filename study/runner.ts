import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PretextError } from '../util/errors.ts';
import type { Evaluation } from './evaluation.ts';
import { type RunJob, type RunOutcome, type RunProgress, executeRun } from './executeRun.ts';
import { STUDY_SCALE_ENV } from './load.ts';
import type { PlannedRun } from './plan.ts';
import type { StudyProgress } from './progress.ts';
import type { FromWorker, ToWorker } from './workerProtocol.ts';

export interface LocalRunOptions {
  /** Worker processes (1: in this process). */
  readonly parallel: number;
  /** The study file, which workers load for the evaluations. */
  readonly studyFile: string;
  readonly evaluations: readonly Evaluation[];
  readonly progress?: StudyProgress;
  /** Aborting stops every run after its current update; their checkpoints let a rerun resume. */
  readonly signal?: AbortSignal;
}

export interface LocalRunResult {
  readonly outcomes: readonly RunOutcome[];
  readonly failed: readonly { readonly id: string; readonly message: string }[];
  readonly interrupted: boolean;
}

/** A planned run as the JSON a worker process (or a queue) is sent. */
export const asJob = (r: PlannedRun): RunJob => {
  const { job: _job, label: _label, group: _group, ...spec } = r;
  return JSON.parse(JSON.stringify(spec)) as RunJob;
};

/** A run slot: runs one job at a time, in this process or in a forked worker. */
export interface Slot {
  run(job: RunJob): Promise<RunOutcome>;
  close(): void;
}

function inProcessSlot(o: LocalRunOptions): Slot {
  return {
    run: (job) => executeRun(job, { evaluations: o.evaluations, ...(o.signal ? { signal: o.signal } : {}), ...(o.progress ? { onProgress: (p) => o.progress!.update(p) } : {}) }),
    close: () => {},
  };
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * A forked worker process (worker.ts) that loads the study file and runs jobs one at a time (the
 * queue worker uses these too). A run rejects with a PretextError when the run failed by its own
 * fault, with a plain Error when the process or the machine did (it exited, a bug). `scale`: the
 * study's --scale (default: the one in this process's environment).
 */
export async function workerSlot(studyFile: string, onProgress?: (p: RunProgress) => void, signal?: AbortSignal, scale?: string): Promise<Slot> {
  const env = scale !== undefined ? { env: { ...process.env, [STUDY_SCALE_ENV]: scale } } : {};
  const child: ChildProcess = fork(WORKER, [studyFile], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...env });
  let pending: { resolve: (r: RunOutcome) => void; reject: (e: Error) => void; id: string } | undefined;
  let exited = false;
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: FromWorker) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'outcome') pending?.resolve(m.outcome);
      else if (m.type === 'failed') pending?.reject(m.own ? new PretextError(m.message, { run: m.id }) : new Error(m.message));
    });
    child.on('exit', (code, signal) => {
      exited = true;
      const e = new Error(`a study worker exited (${signal ?? `code ${code}`})${pending ? ` while running ${pending.id}` : ''}`);
      reject(e);
      pending?.reject(e);
    });
  });
  const stop = () => child.connected && child.send({ type: 'stop' } satisfies ToWorker);
  signal?.addEventListener('abort', stop);
  await ready;
  return {
    run: (job) =>
      new Promise<RunOutcome>((resolve, reject) => {
        if (exited) return reject(new Error('the study worker has exited'));
        pending = { resolve, reject, id: job.id };
        child.send({ type: 'run', job } satisfies ToWorker);
      }).finally(() => {
        pending = undefined;
      }),
    close: () => {
      signal?.removeEventListener('abort', stop);
      if (!exited) child.disconnect();
    },
  };
}

/**
 * Runs a study's runs on `parallel` slots, each run after the run it starts from; a run whose
 * dependency failed or was interrupted is not started. Finished runs are skipped by the job
 * itself (their folders say so), interrupted ones resume from their checkpoints.
 */
export async function runLocally(runs: readonly PlannedRun[], o: LocalRunOptions): Promise<LocalRunResult> {
  const slots = o.parallel <= 1 ? [inProcessSlot(o)] : await Promise.all(Array.from({ length: Math.min(o.parallel, runs.length) }, () => workerSlot(o.studyFile, o.progress && ((p) => o.progress!.update(p)), o.signal)));
  const outcomes = new Map<string, RunOutcome>();
  const failed = new Map<string, string>();
  const queue = [...runs];
  let inFlight = 0;
  let interrupted = false;
  let waiting: (() => void)[] = [];
  const wakeAll = () => {
    const w = waiting;
    waiting = [];
    w.forEach((f) => f());
  };
  const next = (): PlannedRun | undefined => {
    for (let i = 0; i < queue.length; i++) {
      const r = queue[i]!;
      const dep = r.dependsOn;
      if (dep !== undefined && failed.has(dep)) {
        queue.splice(i--, 1);
        failed.set(r.id, `it starts from run ${dep}, which failed`);
        o.progress?.finish(r.id, 'skipped');
        continue;
      }
      if (dep === undefined || outcomes.get(dep)?.status === 'done') return queue.splice(i, 1)[0];
    }
    return undefined;
  };
  const worker = async (slot: Slot) => {
    for (;;) {
      if (o.signal?.aborted) return;
      const r = next();
      if (!r) {
        // the rest wait for runs in flight (their dependencies); with none in flight they cannot start
        if (queue.length === 0 || inFlight === 0) return;
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      inFlight++;
      o.progress?.start(r.id, r.label);
      try {
        const out = await slot.run(asJob(r));
        outcomes.set(r.id, out);
        if (out.status === 'interrupted') interrupted = true;
        o.progress?.finish(r.id, out.status === 'done' ? 'finished' : 'interrupted');
      } catch (e) {
        failed.set(r.id, (e as Error).message);
        o.progress?.finish(r.id, 'failed');
      } finally {
        inFlight--;
        wakeAll();
      }
    }
  };
  try {
    await Promise.all(slots.map(worker));
  } finally {
    slots.forEach((s) => s.close());
  }
  return { outcomes: [...outcomes.values()], failed: [...failed].map(([id, message]) => ({ id, message })), interrupted: interrupted || (o.signal?.aborted ?? false) };
}
