import * as p from '../../dsl/index.ts';
import type { KeyTensor } from '../../dsl/random.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { TokenGrid } from '../../models/encoder.ts';

/**
 * One token per position from softmax(logits / temperature) by Gumbel-max with the reference's
 * noise -ln(-ln(u + 1e-9) + 1e-9) (temperature 0: argmax). Detached: the samples carry no
 * gradient, so the discriminator's loss never reaches generator-only weights (spec 4b step 5).
 * Drawn at every position (only S is used): a fixed shape instead of a data-dependent gather.
 */
export function sampleReplacements(key: KeyTensor, generatorLogits: Tensor<['batch', 'seq', 'vocab']>, temperature: number): TokenGrid {
  return p.stopGradient(p.categorical(key, p.stopGradient(generatorLogits), 'vocab', temperature));
}

/**
 * The discriminator's input and labels: x^d = the ORIGINAL x with the samples at `selected`
 * (not the generator's input), d = 1 where x^d differs from x (a sample equal to the original
 * is labelled "original"). Returns inputIds (i32) and labels (f32), both ['batch', 'seq'].
 */
export function replacedTokenInputs(original: TokenGrid, selected: TokenGrid, sampled: TokenGrid): { inputIds: TokenGrid; labels: TokenGrid } {
  const inputIds = p.where(selected, sampled, original);
  return { inputIds, labels: p.cast(inputIds.ne(original), 'f32') };
}
