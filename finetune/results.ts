import type { EvalRecord, FinetuneResult } from './finetune.ts';
import { outputCount } from './labelSpace.ts';
import { type TaskData, majorityBaseline } from './taskData.ts';

const flat = (e: EvalRecord) => ({ step: e.step, epoch: e.epoch, trainLoss: e.trainLoss, validLoss: e.validLoss, ...e.metrics });

/** The best value of every metric over the evaluations: the highest, the lowest for mse. */
export function bestOfEach(evals: readonly EvalRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of evals) {
    for (const [k, v] of Object.entries(e.metrics) as [string, number][]) {
      if (Number.isNaN(v)) continue;
      const prev = out[k];
      out[k] = prev === undefined ? v : k === 'mse' ? Math.min(prev, v) : Math.max(prev, v);
    }
  }
  return out;
}

const capitalised = (k: string): string => k.charAt(0).toUpperCase() + k.slice(1);

/**
 * The JSON of a fine-tuning run (results.json, `finetune --json`): the task, every evaluation,
 * the per-epoch ones, the selected (best) checkpoint's metrics, the best of each metric as
 * `bestAccuracy`, `bestMacroF1`... and the majority baseline.
 */
export function finetuneSummary(r: FinetuneResult, task: TaskData, more: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const bestOf = bestOfEach(r.evals);
  const last = r.evals[r.evals.length - 1];
  return {
    ...more,
    task: task.source,
    labels: task.labels.kind === 'classification' ? task.labels.names : 'regression',
    outputs: outputCount(task.labels),
    train: task.train.rows,
    valid: task.valid.rows,
    truncated: { train: task.train.truncated, valid: task.valid.truncated },
    majority: majorityBaseline(task),
    steps: r.steps,
    totalSteps: r.totalSteps,
    interrupted: r.interrupted,
    best: r.best ? flat(r.best) : null,
    ...Object.fromEntries(Object.entries(bestOf).map(([k, v]) => [`best${capitalised(k)}`, v])),
    final: last ? flat(last) : null,
    epochs: r.evals.filter((e) => e.endOfEpoch).map(flat),
    evals: r.evals.map(flat),
  };
}
