import type * as aq from 'arquero';
import type { TopLevelSpec } from 'vega-lite';
import { byGroup, finalValues, totalCompute } from './finals.ts';
import type { BarsItem, ComputeItem, CurvesItem, ScatterItem } from './items.ts';
import { meanStd, spearman } from './stats.ts';

const SIZE = { width: 420, height: 260 } as const;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const AXIS_TITLES: Record<string, string> = { step: 'updates', tokens: 'training tokens (input positions)', flops: 'training FLOPs', train_seconds: 'training seconds' };

type Row = { run: string; group: string; metric: string; epoch: number | null; value: number } & Record<string, unknown>;

/** Learning curves: per group, the mean over seeds as a line and ± 1 std as a band, against steps, tokens or FLOPs. */
export function curvesSpec(table: aq.ColumnTable, item: CurvesItem): TopLevelSpec {
  const x = item.x ?? 'step';
  const values = (table.objects() as Row[]).filter((r) => r.metric === item.metric && r.epoch === null && typeof r[x] === 'number').map((r) => ({ group: r.group, run: r.run, x: r[x] as number, value: r.value }));
  const xEnc = { field: 'x', type: 'quantitative', title: AXIS_TITLES[x], ...(item.logX ? { scale: { type: 'log' } } : {}) } as const;
  return {
    $schema: SCHEMA, ...SIZE, title: item.title ?? `${item.metric} vs ${AXIS_TITLES[x]}`,
    data: { values },
    encoding: { x: xEnc, color: { field: 'group', type: 'nominal', title: null } },
    layer: [
      { mark: { type: 'errorband', extent: 'stdev', opacity: 0.25 }, encoding: { y: { field: 'value', type: 'quantitative', title: item.metric } } },
      { mark: { type: 'line' }, encoding: { y: { aggregate: 'mean', field: 'value', type: 'quantitative', title: item.metric } } },
    ],
  } as TopLevelSpec;
}

/** Final metric against total compute per run, a line per value of `by` (default objective). */
export function computeSpec(table: aq.ColumnTable, item: ComputeItem): TopLevelSpec {
  const x = item.x ?? 'flops';
  const by = item.by ?? 'objective';
  const compute = totalCompute(table, x);
  const values = finalValues(table, item.metric).filter((f) => compute.has(f.run)).map((f) => ({ x: compute.get(f.run)!, value: f.value, by: String(f.row[by] ?? '-'), run: f.run }));
  return {
    $schema: SCHEMA, ...SIZE, title: item.title ?? `${item.metric} vs ${AXIS_TITLES[x]}`,
    data: { values },
    encoding: { x: { field: 'x', type: 'quantitative', title: AXIS_TITLES[x], scale: { zero: false } }, y: { field: 'value', type: 'quantitative', title: item.metric, scale: { zero: false } }, color: { field: 'by', type: 'nominal', title: by } },
    layer: [{ mark: { type: 'point', filled: true } }, { mark: 'line', encoding: { y: { aggregate: 'mean', field: 'value', type: 'quantitative' } } }],
  } as TopLevelSpec;
}

/** Two final metrics per run against each other; the title gives Spearman's ρ over the runs. */
export function scatterSpec(table: aq.ColumnTable, item: ScatterItem): { spec: TopLevelSpec; rho: number; n: number } {
  const ys = new Map(finalValues(table, item.y).map((f) => [f.run, f.value]));
  const near = item.nearBest && finalValues(table, item.nearBest.metric);
  const cutoff = near && Math.min(...near.map((f) => f.value)) + item.nearBest!.within;
  const kept = near && new Set(near.filter((f) => f.value <= cutoff!).map((f) => f.run));
  const values = finalValues(table, item.x).filter((f) => ys.has(f.run) && (!kept || kept.has(f.run))).map((f) => ({ x: f.value, y: ys.get(f.run)!, group: f.group, run: f.run }));
  const rho = spearman(values.map((v) => v.x), values.map((v) => v.y));
  const among = item.nearBest ? `; runs with ${item.nearBest.metric} within ${item.nearBest.within} of the lowest` : '';
  const spec = {
    $schema: SCHEMA, ...SIZE, title: item.title ?? `${item.y} vs ${item.x} (Spearman ρ = ${Number.isFinite(rho) ? rho.toFixed(3) : 'n/a'}, n = ${values.length}${among})`,
    data: { values }, mark: { type: 'point', filled: true, size: 60 },
    encoding: { x: { field: 'x', type: 'quantitative', title: item.x, scale: { zero: false } }, y: { field: 'y', type: 'quantitative', title: item.y, scale: { zero: false } }, color: { field: 'group', type: 'nominal', title: null } },
  } as TopLevelSpec;
  return { spec, rho, n: values.length };
}

/** A final metric per group: bars of the mean with ± 1 std error bars (over seeds). */
export function barsSpec(table: aq.ColumnTable, item: BarsItem): TopLevelSpec {
  const values = [...byGroup(finalValues(table, item.metric))].map(([group, vs]) => {
    const { mean, std } = meanStd(vs);
    const s = Number.isFinite(std) ? std : 0;
    return { group, mean, lo: mean - s, hi: mean + s, n: vs.length };
  });
  return {
    $schema: SCHEMA, ...SIZE, title: item.title ?? `${item.metric} (mean ± std over seeds)`,
    data: { values },
    encoding: { x: { field: 'group', type: 'nominal', title: null, axis: { labelAngle: -30 } } },
    layer: [
      { mark: 'bar', encoding: { y: { field: 'mean', type: 'quantitative', title: item.metric }, color: { field: 'group', type: 'nominal', legend: null } } },
      { mark: { type: 'errorbar', ticks: true }, encoding: { y: { field: 'lo', type: 'quantitative', title: item.metric }, y2: { field: 'hi' } } },
    ],
  } as TopLevelSpec;
}
