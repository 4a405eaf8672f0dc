import type { RowData } from '../corpora/dataset/index.ts';
import type { TokenBatch } from '../objectives/objective.ts';
import { PretextError } from '../util/errors.ts';

export class TrainingDataError extends PretextError {}

/** A TokenBatch from dataset rows (fields inputIds, attentionMask and, when present, blockIds). */
export function tokenBatchFromRows(data: RowData, seqLen: number, where: string): TokenBatch {
  const ids = data.fields['inputIds'];
  const mask = data.fields['attentionMask'];
  if (!(ids instanceof Int32Array)) throw new TrainingDataError(`${where}: field "inputIds" (int32) is missing`, { field: 'inputIds' });
  if (!(mask instanceof Uint8Array)) throw new TrainingDataError(`${where}: field "attentionMask" (uint8) is missing`, { field: 'attentionMask' });
  const blockIds = data.fields['blockIds'];
  return {
    inputIds: ids,
    attentionMask: mask,
    rows: data.rows,
    seqLen,
    ...(blockIds instanceof Int32Array ? { blockIds } : {}),
  };
}
