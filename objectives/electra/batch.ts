import { IGNORE_INDEX, electraSelection } from '../../corpora/masking/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { Concrete } from '../../dsl/trace.ts';
import type { Key } from '../../prng/key.ts';
import { type TokenBatch, batchTensor } from '../objective.ts';
import type { ResolvedElectraOptions } from './options.ts';

/** A prepared ELECTRA batch (symbolic). All ['batch', 'seq']. */
export interface ElectraBatch {
  /** x: the original tokens (the discriminator's input outside S, and its reference). */
  readonly inputIds: Tensor<['batch', 'seq']>;
  /** x^g: the generator's input ([MASK] on most of S). */
  readonly generatorInputIds: Tensor<['batch', 'seq']>;
  /** Original token where the generator is scored, -100 elsewhere. */
  readonly labels: Tensor<['batch', 'seq']>;
  /** bool: where the generator samples and the discriminator input is replaced (S \ R). */
  readonly selected: Tensor<['batch', 'seq']>;
  readonly attentionMask: Tensor<['batch', 'seq']>;
}

/**
 * Host side of ELECTRA: the selection of corpora/masking's electraSelection, as batch tensors.
 * Like the reference, positions given a random token (R, only when randomTokenProb > 0) leave the
 * sampled set and the labels: `selected` and `labels` cover S \ R (its `mask &= ~random`).
 */
export function electraBatch(tokens: TokenBatch, key: Key, o: ResolvedElectraOptions): Concrete<ElectraBatch> {
  const grid = { inputIds: tokens.inputIds, seqLen: tokens.seqLen, ...(tokens.blockIds ? { blockIds: tokens.blockIds } : {}) };
  const s = electraSelection(key, grid, {
    maskProb: o.maskProb,
    replaceProb: o.replaceProb,
    randomTokenProb: o.randomTokenProb,
    numTokens: o.vocab.size,
    maskTokenId: o.vocab.mask,
    padTokenId: o.vocab.pad,
    maskIgnoreTokenIds: o.maskIgnoreTokenIds,
    lucidrainsCompat: o.lucidrainsCompat,
  });
  const selected = new Uint8Array(s.selected.length);
  const labels = Int32Array.from(s.labels);
  for (let i = 0; i < selected.length; i++) {
    selected[i] = s.selected[i]! && !s.randomized[i]! ? 1 : 0;
    if (s.randomized[i]) labels[i] = IGNORE_INDEX;
  }
  const { rows, seqLen } = tokens;
  return {
    inputIds: batchTensor(tokens.inputIds, rows, seqLen, 'i32'),
    generatorInputIds: batchTensor(s.inputIds, rows, seqLen, 'i32'),
    labels: batchTensor(labels, rows, seqLen, 'i32'),
    selected: batchTensor(selected, rows, seqLen, 'bool'),
    attentionMask: batchTensor(tokens.attentionMask, rows, seqLen, 'bool'),
  };
}
