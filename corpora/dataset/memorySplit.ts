import type { FieldArray } from './dtypes.ts';
import { DatasetRangeError } from './errors.ts';
import type { DatasetSplit, RowData } from './reader.ts';

/**
 * A split held in memory (rows generated in a browser page, tests): the same interface as a split
 * read from shards, so shuffledBatches and the trainer's batching work on it unchanged.
 */
export function memorySplit(name: string, data: RowData): DatasetSplit {
  const fields = Object.entries(data.fields).map(([field, values]) => ({ field, values, perRow: data.rows > 0 ? values.length / data.rows : 0 }));
  const gather = (indices: ArrayLike<number>): RowData => {
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i]!;
      if (!(Number.isInteger(r) && r >= 0 && r < data.rows)) throw new DatasetRangeError(`split ${name}: row ${r} is outside [0, ${data.rows})`, { split: name, row: r });
    }
    const out: Record<string, FieldArray> = {};
    for (const { field, values, perRow } of fields) {
      const picked = new (values.constructor as new (n: number) => FieldArray)(indices.length * perRow);
      for (let i = 0; i < indices.length; i++) picked.set(values.subarray(indices[i]! * perRow, (indices[i]! + 1) * perRow), i * perRow);
      out[field] = picked;
    }
    return { rows: indices.length, fields: out };
  };
  return {
    name,
    rows: data.rows,
    readRows: gather,
    readRange: (start, count) => gather(Array.from({ length: count }, (_, i) => start + i)),
  };
}
