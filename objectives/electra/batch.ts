import { electraSelection } from '../../corpora/masking/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { Concrete } from '../../dsl/trace.ts';
import type { Key } from '../../prng/key.ts';
import { type TokenBatch, batchTensor } from '../objective.ts';
import type { ResolvedElectraOptions } from './options.ts';

/** A prepared ELECTRA batch (symbolic). All ['batch', 'seq']. */
export interface ElectraBatch {
  /** x: the original tokens (the discriminator's input outside S, and its reference). */
  readonly inputIds: Tensor<['batch', 'seq']>;
  /** x^g: the generator's input ([MASK] on most of S; random tokens on R when randomTokenProb > 0). */
  readonly generatorInputIds: Tensor<['batch', 'seq']>;
  /** Original token where the generator is scored, -100 elsewhere. */
  readonly labels: Tensor<['batch', 'seq']>;
  /** bool: S, where the generator is scored and samples and the discriminator input is replaced. */
  readonly selected: Tensor<['batch', 'seq']>;
  readonly attentionMask: Tensor<['batch', 'seq']>;
}

/**
 * Host side of ELECTRA: the selection of corpora/masking's electraSelection, as batch tensors.
 * Positions given a random token (R, only when randomTokenProb > 0) stay in S: the reference
 * removes R only from the [MASK] replacement (`masking_mask &= ~random_token_prob`), while its
 * labels, the generator's sampling and the discriminator's replacements use the full `mask` (S).
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
  const { rows, seqLen } = tokens;
  return {
    inputIds: batchTensor(tokens.inputIds, rows, seqLen, 'i32'),
    generatorInputIds: batchTensor(s.inputIds, rows, seqLen, 'i32'),
    labels: batchTensor(s.labels, rows, seqLen, 'i32'),
    selected: batchTensor(s.selected, rows, seqLen, 'bool'),
    attentionMask: batchTensor(tokens.attentionMask, rows, seqLen, 'bool'),
  };
}
