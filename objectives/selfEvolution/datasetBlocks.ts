import type { DatasetSplit } from '../../corpora/dataset/index.ts';
import type { TokenBatch } from '../objective.ts';
import { SelfEvolutionError } from './errors.ts';

/**
 * Every row of a dataset split in storage order, `batchRows` at a time, as TokenBatches with
 * their block ids: the input of selfQuestion over a whole corpus (stage 1 must see each block
 * once; shuffling is pointless there).
 */
export function* datasetBlockBatches(split: DatasetSplit, seqLen: number, batchRows: number): Generator<TokenBatch> {
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new SelfEvolutionError(`datasetBlockBatches: batchRows must be a positive integer, got ${batchRows}`, { option: 'batchRows', value: batchRows });
  for (let start = 0; start < split.rows; start += batchRows) {
    const data = split.readRange(start, Math.min(batchRows, split.rows - start));
    const { inputIds, attentionMask, blockIds } = data.fields;
    for (const [name, arr, type] of [['inputIds', inputIds, Int32Array], ['attentionMask', attentionMask, Uint8Array], ['blockIds', blockIds, Int32Array]] as const) {
      if (!(arr instanceof type)) throw new SelfEvolutionError(`datasetBlockBatches: split "${split.name}" has no ${type.name} field "${name}"`, { option: 'split', field: name });
    }
    yield { inputIds: inputIds as Int32Array, attentionMask: attentionMask as Uint8Array, rows: data.rows, seqLen, blockIds: blockIds as Int32Array };
  }
}
