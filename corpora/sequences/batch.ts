import { SequenceError } from './errors.ts';
import type { RowBuilder, SequenceRow } from './rows.ts';

/**
 * Rows of token ids padded to seqLen, as flat typed arrays (row-major, rows x seqLen): the layout
 * masking, datasets and training batches share.
 */
export interface SequenceBatch {
  readonly rows: number;
  readonly seqLen: number;
  /** rows * seqLen token ids, pad id after each row's tokens. */
  readonly inputIds: Int32Array;
  /** rows * seqLen: 1 on real tokens, 0 on padding. */
  readonly attentionMask: Uint8Array;
  /** Real tokens per row. */
  readonly lengths: Int32Array;
  /** Stable id of each row's block / instance. */
  readonly blockIds: Int32Array;
}

/** Pads rows to seqLen into a SequenceBatch; a row longer than seqLen is a SequenceError. */
export function rowsToBatch(rows: readonly SequenceRow[], seqLen: number, padId: number): SequenceBatch {
  const n = rows.length;
  const inputIds = new Int32Array(n * seqLen).fill(padId);
  const attentionMask = new Uint8Array(n * seqLen);
  const lengths = new Int32Array(n);
  const blockIds = new Int32Array(n);
  rows.forEach((row, r) => {
    if (row.tokens.length > seqLen) {
      throw new SequenceError(`row ${r} (block ${row.blockId}) has ${row.tokens.length} tokens, more than seqLen ${seqLen}`, {
        row: r,
        blockId: row.blockId,
        length: row.tokens.length,
        seqLen,
      });
    }
    inputIds.set(row.tokens, r * seqLen);
    attentionMask.fill(1, r * seqLen, r * seqLen + row.tokens.length);
    lengths[r] = row.tokens.length;
    blockIds[r] = row.blockId;
  });
  return { rows: n, seqLen, inputIds, attentionMask, lengths, blockIds };
}

/** Groups a row stream into batches of `batchRows` rows (the last one may be smaller). */
export async function* batchRows(
  rows: AsyncIterable<SequenceRow> | Iterable<SequenceRow>,
  seqLen: number,
  padId: number,
  batchRowCount: number,
): AsyncGenerator<SequenceBatch> {
  let pending: SequenceRow[] = [];
  for await (const row of rows) {
    pending.push(row);
    if (pending.length === batchRowCount) {
      yield rowsToBatch(pending, seqLen, padId);
      pending = [];
    }
  }
  if (pending.length > 0) yield rowsToBatch(pending, seqLen, padId);
}

/** All rows a builder makes from `texts`, padded into one SequenceBatch. */
export function collectBatch(
  builder: RowBuilder,
  texts: Iterable<ArrayLike<number>>,
  seqLen: number,
  padId: number,
): SequenceBatch {
  const rows: SequenceRow[] = [];
  for (const t of texts) rows.push(...builder.push(t));
  rows.push(...builder.finish());
  return rowsToBatch(rows, seqLen, padId);
}
