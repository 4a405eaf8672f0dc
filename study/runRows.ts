import { existsSync, readFileSync } from 'node:fs';
import type { MetricRow } from '../eval/report.ts';

/** One result: a metric of a run (at a step, with the compute spent by then when known). */
export interface StudyRow extends MetricRow {
  /** Training input positions up to `step`. */
  readonly tokens?: number;
  /** Training FLOPs up to `step`. */
  readonly flops?: number;
}

/** Log fields that say where a line is, not what was measured. */
const COORDINATES = new Set(['update', 'epoch', 'tokens', 'flops']);

/**
 * The training log (log.jsonl) as rows: one per numeric field of each line with an `update`
 * (loss, lr, gnorm, valid_loss, the objective's metrics...), at that step with its tokens and
 * FLOPs. Event lines (resume, diverged) and a torn last line are skipped.
 */
export function trainingRows(run: string, logFile: string): StudyRow[] {
  if (!existsSync(logFile)) return [];
  const rows: StudyRow[] = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const step = record['update'];
    if (typeof step !== 'number' || record['event'] !== undefined) continue;
    const at = {
      step,
      ...(typeof record['tokens'] === 'number' ? { tokens: record['tokens'] } : {}),
      ...(typeof record['flops'] === 'number' ? { flops: record['flops'] } : {}),
    };
    for (const [metric, value] of Object.entries(record)) {
      if (!COORDINATES.has(metric) && typeof value === 'number') rows.push({ run, metric, value, ...at });
    }
  }
  return rows;
}
