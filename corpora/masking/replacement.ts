import { randint, splitKey, uniform, type Key } from '../../prng/index.ts';
import { MaskingError } from './errors.ts';
import type { ReplacementPolicy } from './types.ts';

/** Every id of a vocabulary of `size` tokens, specials included (HF, academic-budget BERT). */
export function wholeVocabPool(size: number): Int32Array {
  return Int32Array.from({ length: size }, (_, i) => i);
}

/** Every id except the specials (fairseq's random replacement). */
export function nonSpecialPool(size: number, specialIds: Iterable<number>): Int32Array {
  const special = new Set(specialIds);
  const out: number[] = [];
  for (let i = 0; i < size; i++) if (!special.has(i)) out.push(i);
  return Int32Array.from(out);
}

export function checkPolicy(policy: ReplacementPolicy, pool: Int32Array, where: string): void {
  const { mask, random } = policy;
  if (!(mask >= 0 && random >= 0 && mask + random <= 1 + 1e-12)) {
    throw new MaskingError(`${where}: replacement probabilities must be >= 0 with mask + random <= 1, got mask ${mask}, random ${random}`, {
      option: 'replacement',
      mask,
      random,
    });
  }
  if (random > 0 && pool.length === 0) throw new MaskingError(`${where}: random replacement needs a non-empty pool of token ids`, { option: 'randomTokenIds' });
}

/**
 * Corrupts the selected positions of one row in place (out[offset .. offset + T)): one uniform per
 * position decides [MASK] / random / keep; random ids are uniform over `pool`. Randomness comes
 * from `k` indexed by position, so a position's outcome does not depend on the other positions.
 */
export function replaceSelected(
  k: Key,
  out: Int32Array,
  offset: number,
  selected: Uint8Array,
  seqLen: number,
  policy: ReplacementPolicy,
  pool: Int32Array,
  maskId: number,
): void {
  const [kAction, kToken] = splitKey(k, 2);
  const u = uniform(kAction!, seqLen);
  const tokens = policy.random > 0 ? randint(kToken!, 0, pool.length, seqLen) : undefined;
  const keepFirst = policy.order === 'mask-keep-random';
  const middle = policy.mask + (keepFirst ? 1 - policy.mask - policy.random : policy.random);
  for (let t = 0; t < seqLen; t++) {
    if (!selected[offset + t]) continue;
    const v = u[t]!;
    if (v < policy.mask) out[offset + t] = maskId;
    else if (tokens && (v < middle) !== keepFirst) out[offset + t] = pool[tokens[t]!]!;
  }
}
