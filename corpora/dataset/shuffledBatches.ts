import { foldIn, permutation, type Key } from '../../prng/index.ts';
import { DatasetRangeError } from './errors.ts';
import type { DatasetSplit, RowData } from './reader.ts';

/** Where a shuffled pass stands: `position` rows of epoch `epoch`'s order have been served. */
export interface ShuffleCursor {
  readonly epoch: number;
  readonly position: number;
}

export interface ShuffledBatch {
  readonly epoch: number;
  /** Offset of the batch's first row in the epoch's order. */
  readonly position: number;
  /** Row indices of the split, in batch order. */
  readonly indices: Int32Array;
  readonly data: RowData;
  /** Cursor to resume from to get the batch after this one (store it in checkpoints). */
  readonly next: ShuffleCursor;
}

export interface ShuffledBatchOptions {
  readonly key: Key;
  readonly batchSize: number;
  /** Resume point (default epoch 0, position 0). */
  readonly start?: ShuffleCursor;
  /** Stop after this epoch count, counted from start.epoch (default: never stop). */
  readonly epochs?: number;
  /** Skip each epoch's last, smaller batch (default false: it is served). */
  readonly dropLast?: boolean;
}

/** The row order of one epoch: permutation(foldIn(key, epoch), rows) — a pure function. */
export const epochOrder = (key: Key, epoch: number, rows: number): Int32Array => permutation(foldIn(key, epoch), rows);

/**
 * Streams batches of a split in a fresh random order every epoch. Deterministic (the order depends
 * only on key, epoch and the row count) and resumable: starting from a batch's `next` cursor gives
 * exactly the batches an uninterrupted run would have given. Batches never straddle epochs.
 */
export function* shuffledBatches(split: DatasetSplit, options: ShuffledBatchOptions): Generator<ShuffledBatch> {
  const { key, batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DatasetRangeError(`shuffledBatches: batchSize must be a positive integer, got ${batchSize}`, { option: 'batchSize' });
  let { epoch, position } = options.start ?? { epoch: 0, position: 0 };
  if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(position) || position < 0 || position > split.rows) {
    throw new DatasetRangeError(`shuffledBatches: bad resume cursor (epoch ${epoch}, position ${position}) for ${split.rows} rows`, { option: 'start', epoch, position });
  }
  // Nothing to serve, ever (and no epoch loop that would spin without yielding).
  if (split.rows === 0 || (options.dropLast && split.rows < batchSize)) return;
  const lastEpoch = options.epochs === undefined ? Infinity : epoch + options.epochs;
  let order = epochOrder(key, epoch, split.rows);
  while (epoch < lastEpoch) {
    const remaining = split.rows - position;
    if (remaining === 0 || (options.dropLast && remaining < batchSize)) {
      epoch++;
      position = 0;
      if (epoch < lastEpoch) order = epochOrder(key, epoch, split.rows);
      continue;
    }
    const take = Math.min(batchSize, remaining);
    const indices = order.slice(position, position + take);
    const next = position + take === split.rows ? { epoch: epoch + 1, position: 0 } : { epoch, position: position + take };
    yield { epoch, position, indices, data: split.readRows(indices), next };
    position += take;
  }
}
