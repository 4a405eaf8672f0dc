import type { Axes } from '../../dsl/axes.ts';
import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';

type T = Tensor<Axes>;

/**
 * The reference distribution r_t of the smoothed target: the model's own log-probabilities on the
 * unmasked input (SE), uniform 1/V (vanilla label smoothing), or none (plain cross-entropy).
 */
export type EvolutionReference = { readonly logProbs: T } | 'uniform' | 'none';

/**
 * q_t = (1 - α)·onehot(y_t) + α·r_t over ['batch', 'seq', 'vocab'] (a constant: no gradient
 * reaches r). Positions with label -100 get α·r (they are masked out of the loss).
 */
export function evolutionTarget(labels: T, reference: EvolutionReference, alpha: number, vocabSize: number): T {
  const hot = p.oneHot(labels, 'vocab', vocabSize) as T; // -100 (ignored) gives a zero row
  if (reference === 'none') return hot;
  const r = reference === 'uniform' ? p.full(['vocab'], [vocabSize], 1 / vocabSize) : p.exp(reference.logProbs);
  return p.stopGradient(hot.mul(1 - alpha).add(r.mul(alpha)) as T);
}

/** Per-position SE results: ℓ_t, the unsmoothed CE(p_t, y_t), and the selection (f32), 0 off the selection. */
export interface EvolutionPositions {
  readonly loss: T;
  readonly nll: T;
  readonly selected: T;
  readonly predicted: T;
}

/**
 * ℓ_t = -Σ_v q_t(v)·ln p_t(v) with p_t = softmax(logits_t) at every selected position (labels
 * >= 0), so ∂ℓ_t/∂z_t = p_t - q_t. With reference 'none' (or α = 0) it is the plain CE.
 */
export function evolutionPositions(logits: T, labels: T, reference: EvolutionReference, alpha: number): EvolutionPositions {
  const selectedBool = labels.ge(0);
  const selected = p.cast(selectedBool, 'f32');
  const logP = p.logSoftmax(logits, 'vocab');
  const q = evolutionTarget(labels, reference, alpha, logits.dim('vocab'));
  const loss = p.sum(q.mul(logP), 'vocab').neg().mul(selected) as T;
  const nll = p.softmaxCrossEntropy(logits, p.where(selectedBool, labels, 0) as T, 'vocab').mul(selected) as T;
  return { loss, nll, selected, predicted: p.argmax(logits, 'vocab') };
}
