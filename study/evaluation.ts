import type { TrainJob } from '../cli/train/resolveJob.ts';
import type { MetricRow } from '../eval/report.ts';

/** What an evaluation sees of a finished run. */
export interface EvalContext {
  readonly runId: string;
  /** The run's folder (log.jsonl, checkpoints step-NNNNNN, latest). */
  readonly runDir: string;
  /** The run's final checkpoint. */
  readonly checkpoint: string;
  /** Its training step. */
  readonly step: number;
  /** The run config as written (dotted keys expanded). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly job: TrainJob;
}

/** A metric value, named metrics, or full rows (run and step are filled in when missing). */
export type EvalOutput = number | Readonly<Record<string, number>> | readonly Omit<MetricRow, 'run'>[];

/**
 * One evaluation of every run's final checkpoint. Results are cached in the run folder by name
 * and options, so a rerun evaluates only what is new; change `options` (or the name) to redo it.
 */
export interface Evaluation {
  readonly name: string;
  /** JSON: part of the cache key (e.g. sentence counts, seeds). */
  readonly options?: unknown;
  run(ctx: EvalContext): EvalOutput | Promise<EvalOutput>;
}

/** Any function of the checkpoint as an evaluation: `evaluation('myMetric', (ctx) => ...)`. */
export const evaluation = (name: string, run: Evaluation['run'], options?: unknown): Evaluation => ({ name, run, ...(options !== undefined ? { options } : {}) });

/** The rows of an evaluation's output for one run. */
export function evalRows(name: string, out: EvalOutput, runId: string, step: number): MetricRow[] {
  if (typeof out === 'number') return [{ run: runId, metric: name, value: out, step }];
  if (Array.isArray(out)) return (out as readonly Omit<MetricRow, 'run'>[]).map((r) => ({ step, ...r, run: runId }));
  return Object.entries(out as Record<string, number>).map(([metric, value]) => ({ run: runId, metric, value, step }));
}
