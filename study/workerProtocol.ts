import type { RunJob, RunOutcome, RunProgress } from './executeRun.ts';

/** Parent -> worker. */
export type ToWorker = { readonly type: 'run'; readonly job: RunJob } | { readonly type: 'stop' };

/** Worker -> parent. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly progress: RunProgress }
  | { readonly type: 'outcome'; readonly outcome: RunOutcome }
  /** `own`: the run failed by its own fault (a PretextError: bad config, divergence), not the machine's. */
  | { readonly type: 'failed'; readonly id: string; readonly message: string; readonly own: boolean };
