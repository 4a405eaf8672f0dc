import { HostTensor } from '../dsl/host.ts';
import type { TokenBatch } from '../objectives/objective.ts';
import type { LabelledRows } from './labelledRows.ts';

/**
 * A fixed-size batch of labelled rows (host). A last, partial batch is filled up with copies of
 * its last row at weight 0, so one compiled program serves every step and the padding changes
 * no loss or metric.
 */
export interface RowBatch extends TokenBatch {
  readonly tokenTypes: Int32Array;
  readonly labels: Int32Array | Float32Array;
  /** 1 for real rows, 0 for padding. */
  readonly weights: Float32Array;
}

/** Rows `indices` of `d` as a batch of `size` rows (indices.length <= size). */
export function rowBatch(d: LabelledRows, indices: ArrayLike<number>, size: number): RowBatch {
  const L = d.seqLen;
  const n = indices.length;
  const inputIds = new Int32Array(size * L);
  const attentionMask = new Uint8Array(size * L);
  const tokenTypes = new Int32Array(size * L);
  const labels = d.labels instanceof Float32Array ? new Float32Array(size) : new Int32Array(size);
  const weights = new Float32Array(size);
  for (let r = 0; r < size; r++) {
    const src = indices[Math.min(r, n - 1)]!;
    inputIds.set(d.inputIds.subarray(src * L, (src + 1) * L), r * L);
    attentionMask.set(d.attentionMask.subarray(src * L, (src + 1) * L), r * L);
    tokenTypes.set(d.tokenTypes.subarray(src * L, (src + 1) * L), r * L);
    labels[r] = d.labels[src]!;
    weights[r] = r < n ? 1 : 0;
  }
  return { rows: size, seqLen: L, inputIds, attentionMask, tokenTypes, labels, weights };
}

/** The batch as graph inputs: ['batch', 'seq'] ids, mask and types; ['batch'] labels and weights. */
export function rowBatchTensors(b: RowBatch) {
  const bs = (data: Int32Array | Uint8Array, dtype: 'i32' | 'bool') => new HostTensor(['batch', 'seq'] as ['batch', 'seq'], [b.rows, b.seqLen], dtype, data);
  return {
    inputIds: bs(b.inputIds, 'i32'),
    attentionMask: bs(b.attentionMask, 'bool'),
    tokenTypes: bs(b.tokenTypes, 'i32'),
    labels: new HostTensor(['batch'] as ['batch'], [b.rows], b.labels instanceof Float32Array ? 'f32' : 'i32', b.labels),
    weights: new HostTensor(['batch'] as ['batch'], [b.rows], 'f32', b.weights),
  };
}

export type RowBatchTensors = ReturnType<typeof rowBatchTensors>;

/**
 * Runs `predict` over every row of `d` in order, `size` rows at a time, and collects one output
 * per row (the outputs of padding rows are dropped). `predict` gets the batch and its first row.
 */
export function predictRows(d: LabelledRows, size: number, predict: (batch: RowBatchTensors, start: number) => ArrayLike<number>, width = 1): Float32Array {
  const out = new Float32Array(d.rows * width);
  for (let start = 0; start < d.rows; start += size) {
    const n = Math.min(size, d.rows - start);
    const y = predict(rowBatchTensors(rowBatch(d, Int32Array.from({ length: n }, (_, i) => start + i), size)), start);
    for (let i = 0; i < n * width; i++) out[start * width + i] = y[i]!;
  }
  return out;
}
