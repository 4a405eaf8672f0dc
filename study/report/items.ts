/** What a study's report shows: tables and figures, each over the study's results table. */
export type ReportItem = TableItem | CurvesItem | ComputeItem | ScatterItem | BarsItem;

/** Final value of each metric, mean ± std over the runs of a group (runs that differ only by seed). */
export interface TableItem {
  readonly kind: 'table';
  readonly title?: string;
  readonly metrics: readonly string[];
}

/** A metric during training against steps, tokens or FLOPs: one line per group, a band of ± 1 std over seeds. */
export interface CurvesItem {
  readonly kind: 'curves';
  readonly title?: string;
  readonly metric: string;
  readonly x?: 'step' | 'tokens' | 'flops';
  /** Log-scale x axis. */
  readonly logX?: boolean;
}

/** A run's final metric against the compute it trained with (total FLOPs, tokens or seconds), a line per value of `by`. */
export interface ComputeItem {
  readonly kind: 'compute';
  readonly title?: string;
  readonly metric: string;
  readonly x?: 'flops' | 'tokens' | 'train_seconds';
  /** Config column that names a line (default 'objective'). */
  readonly by?: string;
}

/** Two final metrics of every run against each other, coloured by group, with Spearman's rank correlation. */
export interface ScatterItem {
  readonly kind: 'scatter';
  readonly title?: string;
  readonly x: string;
  readonly y: string;
  /** Only the runs whose final `metric` is at most `within` above the lowest run's (e.g. near-equal excess loss). */
  readonly nearBest?: { readonly metric: string; readonly within: number };
}

/** A final metric per group: mean with ± 1 std error bars over seeds. */
export interface BarsItem {
  readonly kind: 'bars';
  readonly title?: string;
  readonly metric: string;
}

export const table = (metrics: readonly string[], title?: string): TableItem => ({ kind: 'table', metrics, ...(title ? { title } : {}) });
export const curves = (o: Omit<CurvesItem, 'kind'>): CurvesItem => ({ kind: 'curves', ...o });
export const compute = (o: Omit<ComputeItem, 'kind'>): ComputeItem => ({ kind: 'compute', ...o });
export const scatter = (o: Omit<ScatterItem, 'kind'>): ScatterItem => ({ kind: 'scatter', ...o });
export const bars = (o: Omit<BarsItem, 'kind'>): BarsItem => ({ kind: 'bars', ...o });
