import type * as aq from 'arquero';

/** One run's final value of a metric, with the compute and config of the run. */
export interface FinalValue {
  readonly run: string;
  readonly group: string;
  readonly value: number;
  readonly step: number | null;
  readonly row: Readonly<Record<string, unknown>>;
}

type Row = Record<string, unknown> & { run: string; group: string; metric: string; value: number; step: number | null; epoch: number | null };

/**
 * The final value of `metric` per run: the row at its largest step (per-epoch rows such as the
 * probe's accuracy curve are left out: their summary metrics are scalar rows).
 */
export function finalValues(table: aq.ColumnTable, metric: string): FinalValue[] {
  const best = new Map<string, Row>();
  for (const r of table.objects() as Row[]) {
    if (r.metric !== metric || r.epoch !== null || typeof r.value !== 'number') continue;
    const prev = best.get(r.run);
    if (!prev || (r.step ?? -1) >= (prev.step ?? -1)) best.set(r.run, r);
  }
  return [...best.values()].map((r) => ({ run: r.run, group: r.group, value: r.value, step: r.step, row: r }));
}

/** The last value of a compute column (flops, tokens) each run logged, or its train_seconds. */
export function totalCompute(table: aq.ColumnTable, x: 'flops' | 'tokens' | 'train_seconds'): Map<string, number> {
  const out = new Map<string, number>();
  if (x === 'train_seconds') {
    for (const f of finalValues(table, 'train_seconds')) out.set(f.run, f.value);
    return out;
  }
  for (const r of table.objects() as Row[]) {
    const v = r[x];
    if (typeof v === 'number' && v > (out.get(r.run) ?? -1)) out.set(r.run, v);
  }
  return out;
}

/** Final values grouped: group -> values (groups in first-seen order). */
export function byGroup(values: readonly FinalValue[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const v of values) out.set(v.group, [...(out.get(v.group) ?? []), v.value]);
  return out;
}
