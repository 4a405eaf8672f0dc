import * as aq from 'arquero';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { EvalError } from './errors.ts';
import type { ExcessLossSummary } from './excessLoss.ts';
import type { HutchinsonResult } from './hessianTrace.ts';
import type { LinearProbeResult } from './linearProbe.ts';

/**
 * Evaluation results as long tables: one row per run x metric (x step / epoch where they vary),
 * which arquero can filter, pivot and join; markdown and CSV/JSON renderings for reports.
 */
export interface MetricRow {
  readonly run: string;
  readonly metric: string;
  readonly value: number;
  /** Standard error of `value`, when it is an estimate. */
  readonly stdErr?: number;
  /** Training step of the evaluated checkpoint. */
  readonly step?: number;
  /** Epoch, for per-epoch metrics (the probe's accuracy curve). */
  readonly epoch?: number;
}

/** Metric names the helpers below produce. */
export const METRICS = {
  loss: 'loss',
  optimalLoss: 'optimal_loss',
  excessLoss: 'excess_loss',
  hessianTrace: 'hessian_trace',
  probeAccuracy: 'probe_accuracy',
  probeFinalAccuracy: 'probe_final_accuracy',
  probeBestAccuracy: 'probe_best_accuracy',
} as const;

const COLUMNS = ['run', 'step', 'metric', 'epoch', 'value', 'stdErr'] as const;

/** The long table of metric rows (missing step / epoch / stdErr are null). */
export function metricsTable(rows: readonly MetricRow[]): aq.ColumnTable {
  for (const r of rows) {
    if (typeof r.run !== 'string' || typeof r.metric !== 'string' || typeof r.value !== 'number') {
      throw new EvalError(`metricsTable: a row needs run, metric (strings) and value (number): ${JSON.stringify(r)}`, { row: r });
    }
  }
  return aq.table({
    run: rows.map((r) => r.run),
    step: rows.map((r) => r.step ?? null),
    metric: rows.map((r) => r.metric),
    epoch: rows.map((r) => r.epoch ?? null),
    value: rows.map((r) => r.value),
    stdErr: rows.map((r) => r.stdErr ?? null),
  });
}

const at = (step: number | undefined) => (step !== undefined ? { step } : {});

/** loss, optimal_loss, excess_loss (nats/position, spec 5b5) with their standard errors. */
export function excessLossRows(run: string, r: ExcessLossSummary, step?: number): MetricRow[] {
  return [
    { run, metric: METRICS.loss, value: r.loss, stdErr: r.lossStdErr, ...at(step) },
    { run, metric: METRICS.optimalLoss, value: r.optimalLoss, stdErr: r.optimalLossStdErr, ...at(step) },
    { run, metric: METRICS.excessLoss, value: r.excessLoss, stdErr: r.excessLossStdErr, ...at(step) },
  ];
}

/** hessian_trace (spec 5b6) with its standard error. */
export function hessianRows(run: string, r: HutchinsonResult, step?: number): MetricRow[] {
  return [{ run, metric: METRICS.hessianTrace, value: r.trace, stdErr: r.stdErr, ...at(step) }];
}

/** probe_accuracy per epoch, plus probe_final_accuracy and probe_best_accuracy (spec 5b7). */
export function probeRows(run: string, r: LinearProbeResult, step?: number): MetricRow[] {
  return [
    ...r.epochs.map((e) => ({ run, metric: METRICS.probeAccuracy, value: e.validAccuracy, epoch: e.epoch, ...at(step) })),
    { run, metric: METRICS.probeFinalAccuracy, value: r.finalAccuracy, ...at(step) },
    { run, metric: METRICS.probeBestAccuracy, value: r.bestAccuracy, ...at(step) },
  ];
}

/**
 * One row per run (and step), one column per metric: the scalar metrics of a long table (rows
 * without an epoch), in the order given or first seen. Missing values are null.
 */
export function metricsByRun(table: aq.ColumnTable, metrics?: readonly string[]): aq.ColumnTable {
  const scalar = table.filter((d: { epoch: unknown }) => d.epoch === null);
  const order = metrics ?? [...new Set(scalar.array('metric') as string[])];
  const wide = scalar
    .filter(aq.escape((d: { metric: string }) => order.includes(d.metric)))
    .groupby('run', 'step')
    .pivot('metric', 'value');
  const present = order.filter((m) => wide.columnNames().includes(m));
  return wide.select('run', 'step', ...present);
}

/** A GitHub markdown table, numbers with at most `digits` fractional digits (default 4). */
export function markdownTable(table: aq.ColumnTable, digits = 4): string {
  return table.toMarkdown({ maxdigits: digits });
}

/** Writes a table as CSV (.csv) or JSON rows (.json), atomically. */
export function writeTable(table: aq.ColumnTable, file: string): void {
  if (file.endsWith('.csv')) writeFileAtomic(file, table.toCSV());
  else if (file.endsWith('.json')) writeFileAtomic(file, `${JSON.stringify(table.objects(), null, 1)}\n`);
  else throw new EvalError(`writeTable: ${file}: the extension must be .csv or .json`, { file });
}

export { COLUMNS as METRIC_COLUMNS };
