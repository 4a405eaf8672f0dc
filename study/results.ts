import { join } from 'node:path';
import * as aq from 'arquero';
import { writeTable } from '../eval/report.ts';
import { flattenConfig } from './configColumns.ts';
import type { PlannedRun } from './plan.ts';
import type { StudyRow } from './runRows.ts';

/**
 * The study's results as one long table: a row per run x metric x step (x epoch), with its
 * tokens and FLOPs where known, the run's label and steps, and every config field as a column
 * (dotted: 'train.lr', 'model.hidden'...), so arquero can filter, group and pivot by any of them.
 */
export function resultsTable(runs: readonly PlannedRun[], rows: readonly StudyRow[]): aq.ColumnTable {
  const byId = new Map(runs.map((r) => [r.id, { run: r, config: flattenConfig(r.config) }]));
  const configKeys = [...new Set(runs.flatMap((r) => Object.keys(flattenConfig(r.config))))];
  const column = <T>(f: (row: StudyRow) => T) => rows.map(f);
  return aq.table({
    run: column((r) => r.run),
    label: column((r) => byId.get(r.run)?.run.label ?? null),
    group: column((r) => byId.get(r.run)?.run.group ?? null),
    metric: column((r) => r.metric),
    step: column((r) => r.step ?? null),
    tokens: column((r) => r.tokens ?? null),
    flops: column((r) => r.flops ?? null),
    epoch: column((r) => r.epoch ?? null),
    value: column((r) => r.value),
    stdErr: column((r) => r.stdErr ?? null),
    steps: column((r) => byId.get(r.run)?.run.steps ?? null),
    ...Object.fromEntries(configKeys.map((k) => [k, column((r) => byId.get(r.run)?.config[k] ?? null)])),
  });
}

/** results.csv and results.json in the study folder. */
export function writeResults(dir: string, table: aq.ColumnTable): { csv: string; json: string } {
  const csv = join(dir, 'results.csv');
  const json = join(dir, 'results.json');
  writeTable(table, csv);
  writeTable(table, json);
  return { csv, json };
}
