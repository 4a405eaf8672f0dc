import * as p from '../dsl/index.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { Normalizer } from '../dsl/nn/losses.ts';
import type { TokenGrid } from '../models/encoder.ts';

/** Per-position masked-LM results: loss per position (0 off the selection) and the selection. */
export interface MlmPositions {
  /** Cross-entropy at each selected position, 0 elsewhere. */
  readonly nll: TokenGrid;
  /** f32 1 at selected positions. */
  readonly selected: TokenGrid;
  /** i32 argmax prediction. */
  readonly predicted: TokenGrid;
}

/** Cross-entropy of `logits` against labels (-100 = ignore) at every position. */
export function mlmPositions(logits: Tensor<['batch', 'seq', 'vocab']>, labels: TokenGrid): MlmPositions {
  const selectedBool = labels.ge(0);
  const selected = p.cast(selectedBool, 'f32');
  const safeLabels = p.where(selectedBool, labels, 0);
  const nll = p.softmaxCrossEntropy(logits, safeLabels, 'vocab').mul(selected);
  return { nll, selected, predicted: p.argmax(logits, 'vocab') };
}

/** The loss normalised as asked, with accuracy and the number of predictions as metrics. */
export function mlmLossAndMetrics(pos: MlmPositions, labels: TokenGrid, normalizer: Normalizer) {
  const loss = p.reduceLoss(pos.nll, undefined, normalizer === 'masked' ? p.maximum(p.sumAll(pos.selected), 1) : normalizer);
  const correct = p.cast(pos.predicted.eq(labels), 'f32').mul(pos.selected);
  const count = p.sumAll(pos.selected);
  return {
    loss,
    metrics: {
      mlm_loss: p.div(p.sumAll(pos.nll), p.maximum(count, 1)),
      mlm_accuracy: p.div(p.sumAll(correct), p.maximum(count, 1)),
      predictions: count,
    },
  };
}
