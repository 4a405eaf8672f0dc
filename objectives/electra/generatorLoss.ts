import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { TokenGrid } from '../../models/encoder.ts';
import { mlmPositions } from '../mlmHeadLoss.ts';

/**
 * The generator's MLM loss: mean cross-entropy over the labelled positions (the reference's
 * CE with ignore_index; 0 rather than NaN when there are none), and gen_acc = mean over
 * `selected` of [argmax = original token].
 */
export function generatorMlmLoss(logits: Tensor<['batch', 'seq', 'vocab']>, labels: TokenGrid, selected: TokenGrid, original: TokenGrid): { loss: Tensor<[]>; accuracy: Tensor<[]>; predictions: Tensor<[]> } {
  const pos = mlmPositions(logits, labels);
  const count = p.sumAll(pos.selected);
  const sel = p.cast(selected, 'f32');
  const correct = p.cast(pos.predicted.eq(original), 'f32').mul(sel);
  return {
    loss: p.div(p.sumAll(pos.nll), p.maximum(count, 1)),
    accuracy: p.div(p.sumAll(correct), p.maximum(p.sumAll(sel), 1)),
    predictions: count,
  };
}
