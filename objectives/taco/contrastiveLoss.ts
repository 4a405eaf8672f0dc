import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { Hidden, TokenGrid } from '../../models/encoder.ts';

/**
 * x / max(‖x‖, eps) along 'hidden' (F.normalize, eps 1e-12), written as x / sqrt(max(Σx², eps²)):
 * the same values, but a zero vector gets a finite (zero) gradient instead of 0·∞.
 */
export function safeL2Normalize(x: Hidden, eps = 1e-12): Hidden {
  return x.div(p.sqrt(p.maximum(p.sum(x.square(), 'hidden'), eps * eps)));
}

export interface TokenContrastiveLoss {
  /** L_TC: mean of ℓ_a over the anchors (0 when there are none). */
  readonly loss: Tensor<[]>;
  /** ℓ_a at every position (meaningful at anchors only). */
  readonly perAnchor: TokenGrid;
  /** Share of anchors whose positive logit is the largest. */
  readonly accuracy: Tensor<[]>;
  readonly positiveCosine: Tensor<[]>;
  readonly negativeCosine: Tensor<[]>;
  readonly anchorCount: Tensor<[]>;
}

/**
 * Cosine InfoNCE of every anchor (spec 3b): candidates are flat indices b·T + t into g
 * (['batch', 'seq', 'candidate'] i32, candidate 0 the positive, then the K negatives);
 * logits cos/τ over the K + 1 candidates with target 0; mean over `anchors` (bool ['batch', 'seq']).
 * Positives and negatives are detached after normalisation: only the anchor path gets gradient.
 */
export function tokenContrastiveLoss(g: Hidden, candidates: Tensor<['batch', 'seq', 'candidate']>, anchors: TokenGrid, temperature: number): TokenContrastiveLoss {
  const normalized = safeL2Normalize(g);
  const targets = p.merge(p.stopGradient(normalized), ['batch', 'seq'], 'token'); // ['token', 'hidden']
  const picked = p.gather(targets, candidates, 'token'); // ['batch', 'seq', 'candidate', 'hidden']
  const cosine = p.dot(normalized, picked, 'hidden'); // ['batch', 'seq', 'candidate']
  const target = p.zeros(['batch', 'seq'], [g.dim('batch'), g.dim('seq')], 'i32');
  const perAnchor = p.softmaxCrossEntropy(cosine.mul(1 / temperature), target, 'candidate');
  const mask = p.cast(anchors, 'f32');
  const count = p.sumAll(mask);
  const meanOverAnchors = (x: TokenGrid): Tensor<[]> => p.div(p.sumAll(x.mul(mask)), p.maximum(count, 1));
  const k = candidates.dim('candidate');
  return {
    loss: meanOverAnchors(perAnchor),
    perAnchor,
    accuracy: meanOverAnchors(p.cast(p.argmax(cosine, 'candidate').eq(0), 'f32')),
    positiveCosine: meanOverAnchors(p.squeeze(p.slice(cosine, 'candidate', 0, 1), 'candidate')),
    negativeCosine: meanOverAnchors(p.mean(p.slice(cosine, 'candidate', 1, k), 'candidate')),
    anchorCount: count,
  };
}
