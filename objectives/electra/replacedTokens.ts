import type { Axes } from '../../dsl/axes.ts';
import * as p from '../../dsl/index.ts';
import type { KeyTensor } from '../../dsl/random.ts';
import type { Tensor } from '../../dsl/tensor.ts';

type T = Tensor<Axes>;

/**
 * One token per position from softmax(logits / temperature) by Gumbel-max with the reference's
 * noise -ln(-ln(u + 1e-9) + 1e-9) (temperature 0: argmax). Detached: the samples carry no
 * gradient, so the discriminator's loss never reaches generator-only weights (spec 4b step 5).
 * Drawn at every position (only S is used): a fixed shape instead of a data-dependent gather.
 */
export function sampleReplacements(key: KeyTensor, generatorLogits: T, temperature: number): T {
  return p.stopGradient(p.categorical(key, p.stopGradient(generatorLogits), 'vocab', temperature) as T);
}

/**
 * The discriminator's input and labels: x^d = the ORIGINAL x with the samples at `selected`
 * (not the generator's input), d = 1 where x^d differs from x (a sample equal to the original
 * is labelled "original"). Returns inputIds (i32) and labels (f32), both ['batch', 'seq'].
 */
export function replacedTokenInputs(original: T, selected: T, sampled: T): { inputIds: T; labels: T } {
  const inputIds = p.where(selected, sampled, original) as T;
  return { inputIds, labels: p.cast(inputIds.ne(original), 'f32') as T };
}
