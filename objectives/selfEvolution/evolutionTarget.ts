import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { TokenGrid } from '../../models/encoder.ts';

/** A distribution (or log-distribution) over the vocabulary at every position. */
type PerToken = Tensor<['batch', 'seq', 'vocab']>;

/**
 * The reference distribution r_t of the smoothed target: the model's own log-probabilities on the
 * unmasked input (SE), uniform 1/V (vanilla label smoothing), or none (plain cross-entropy).
 */
export type EvolutionReference = { readonly logProbs: PerToken } | 'uniform' | 'none';

/**
 * q_t = (1 - α)·onehot(y_t) + α·r_t over ['batch', 'seq', 'vocab'] (a constant: no gradient
 * reaches r). Positions with label -100 get α·r (they are masked out of the loss).
 */
export function evolutionTarget(labels: TokenGrid, reference: EvolutionReference, alpha: number, vocabSize: number): PerToken {
  const hot = p.oneHot(labels, 'vocab', vocabSize); // -100 (ignored) gives a zero row
  if (reference === 'none') return hot;
  const smoothed = hot.mul(1 - alpha);
  const target = reference === 'uniform'
    ? smoothed.add(p.full(['vocab'], [vocabSize], 1 / vocabSize).mul(alpha))
    : smoothed.add(p.exp(reference.logProbs).mul(alpha));
  return p.stopGradient(target);
}

/** Per-position SE results: ℓ_t, the unsmoothed CE(p_t, y_t), and the selection (f32), 0 off the selection. */
export interface EvolutionPositions {
  readonly loss: TokenGrid;
  readonly nll: TokenGrid;
  readonly selected: TokenGrid;
  readonly predicted: TokenGrid;
}

/**
 * ℓ_t = -Σ_v q_t(v)·ln p_t(v) with p_t = softmax(logits_t) at every selected position (labels
 * >= 0), so ∂ℓ_t/∂z_t = p_t - q_t. With reference 'none' (or α = 0) it is the plain CE.
 */
export function evolutionPositions(logits: PerToken, labels: TokenGrid, reference: EvolutionReference, alpha: number): EvolutionPositions {
  const selectedBool = labels.ge(0);
  const selected = p.cast(selectedBool, 'f32');
  const logP = p.logSoftmax(logits, 'vocab');
  const q = evolutionTarget(labels, reference, alpha, logits.dim('vocab'));
  const loss = p.sum(q.mul(logP), 'vocab').neg().mul(selected);
  const nll = p.softmaxCrossEntropy(logits, p.where(selectedBool, labels, 0), 'vocab').mul(selected);
  return { loss, nll, selected, predicted: p.argmax(logits, 'vocab') };
}
