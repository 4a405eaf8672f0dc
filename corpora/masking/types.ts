/** Label value meaning "no prediction here" (the PyTorch/HF ignore_index convention). */
export const IGNORE_INDEX = -100;

/**
 * Token ids to mask: rows x seqLen, row-major. A SequenceBatch is a TokenGrid. When `blockIds` is
 * given, row r's randomness comes from foldIn(key, blockIds[r]), so a block gets the same mask
 * whatever batch it is in; otherwise from foldIn(key, r).
 */
export interface TokenGrid {
  readonly inputIds: Int32Array;
  readonly seqLen: number;
  readonly blockIds?: ArrayLike<number>;
}

/**
 * The one output convention of every masking variant:
 * - inputIds: a masked copy of the input (the model's input);
 * - labels: the original token at every selected position, IGNORE_INDEX (-100) everywhere else;
 * - selected: 1 at the selected positions (the prediction set S), 0 elsewhere.
 * (Documented exception: electraSelection in lucidrainsCompat mode, see there.)
 */
export interface MaskedTokens {
  readonly rows: number;
  readonly seqLen: number;
  readonly inputIds: Int32Array;
  readonly labels: Int32Array;
  readonly selected: Uint8Array;
}

/**
 * How selected positions are corrupted: with probability `mask` put [MASK], with `random` a random
 * token, otherwise keep the original. `order` only fixes which outcome the middle band of the
 * uniform draw maps to (reference codes differ; the distribution is the same).
 */
export interface ReplacementPolicy {
  readonly mask: number;
  readonly random: number;
  readonly order?: 'mask-random-keep' | 'mask-keep-random';
}

/** BERT's 80% [MASK] / 10% random / 10% unchanged. */
export const BERT_REPLACEMENT: ReplacementPolicy = { mask: 0.8, random: 0.1 };
