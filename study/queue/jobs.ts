import { contentHash } from '../canonical.ts';
import type { Evaluation } from '../evaluation.ts';
import type { RunJob, RunOutcome } from '../executeRun.ts';

/** The BullMQ queue every study's runs go to (a worker serves any study; pick a Redis database per group of machines). */
export const QUEUE_NAME = 'pretext-study';

/** A job's data: the run, and where the worker finds the study (paths every machine sees the same). */
export interface QueuedRun {
  readonly run: RunJob;
  /** The study file, absolute: the worker loads it for the evaluations. */
  readonly studyFile: string;
  /** The study's --scale, for a study written per scale. */
  readonly scale?: string;
  /** <out>/<study name>, absolute: it holds plan.json and runs/. */
  readonly studyDir: string;
  /** Which evaluations the result rows hold (a completed job from before the study's evaluations changed is stale). */
  readonly evaluations: string;
}

/** A job's return value. */
export type QueuedResult = RunOutcome;

export const evaluationsKey = (evaluations: readonly Evaluation[]): string => contentHash(evaluations.map((e) => ({ name: e.name, options: e.options ?? null })));

/**
 * Tries per run for failures that are not the run's own (a worker's machine, the filesystem);
 * a run's own failure (a PretextError: bad config, divergence) fails it at once.
 */
export const DEFAULT_ATTEMPTS = 3;

/** Finished jobs stay this long: a restarted coordinator reads results from them. */
export const KEEP_FINISHED_SECONDS = 7 * 24 * 3600;
