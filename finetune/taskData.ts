import type { LabelledRows } from './labelledRows.ts';
import type { LabelSpace } from './labelSpace.ts';

/** A downstream task ready for a probe or fine-tuning: training and validation rows and what the labels mean. */
export interface TaskData {
  readonly train: LabelledRows;
  readonly valid: LabelledRows;
  readonly labels: LabelSpace;
  /** Where the rows came from (JSON, for reports): the PCFG task and sentence seed, or the files and columns. */
  readonly source: Readonly<Record<string, unknown>>;
}

/** Share of the most frequent validation class (NaN for regression or no rows): the baseline to beat. */
export function majorityBaseline(d: TaskData): number {
  if (d.labels.kind !== 'classification' || d.valid.rows === 0) return NaN;
  const counts = new Map<number, number>();
  for (const y of d.valid.labels) counts.set(y, (counts.get(y) ?? 0) + 1);
  return Math.max(...counts.values()) / d.valid.rows;
}
