import type { Axes } from '../dsl/axes.ts';
import * as p from '../dsl/index.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { Normalizer } from '../dsl/nn/losses.ts';

type T = Tensor<Axes>;

/** Per-position masked-LM results: loss per position (0 off the selection) and the selection. */
export interface MlmPositions {
  /** ['batch', 'seq'] cross-entropy at each selected position, 0 elsewhere. */
  readonly nll: T;
  /** ['batch', 'seq'] f32 1 at selected positions. */
  readonly selected: T;
  /** ['batch', 'seq'] i32 argmax prediction. */
  readonly predicted: T;
}

/** Cross-entropy of `logits` (['batch','seq','vocab']) against labels (-100 = ignore) at every position. */
export function mlmPositions(logits: T, labels: T): MlmPositions {
  const selectedBool = labels.ge(0);
  const selected = p.cast(selectedBool, 'f32');
  const safeLabels = p.where(selectedBool, labels, 0) as T;
  const nll = p.softmaxCrossEntropy(logits, safeLabels, 'vocab').mul(selected) as T;
  return { nll, selected, predicted: p.argmax(logits, 'vocab') };
}

/** The loss normalised as asked, with accuracy and the number of predictions as metrics. */
export function mlmLossAndMetrics(pos: MlmPositions, labels: T, normalizer: Normalizer) {
  const loss = p.reduceLoss(pos.nll, undefined, normalizer === 'masked' ? p.maximum(p.sumAll(pos.selected), 1) as Tensor<[]> : normalizer);
  const correct = p.cast(pos.predicted.eq(labels), 'f32').mul(pos.selected) as T;
  const count = p.sumAll(pos.selected);
  return {
    loss,
    metrics: {
      mlm_loss: p.div(p.sumAll(pos.nll), p.maximum(count, 1)) as Tensor<[]>,
      mlm_accuracy: p.div(p.sumAll(correct), p.maximum(count, 1)) as Tensor<[]>,
      predictions: count,
    },
  };
}
