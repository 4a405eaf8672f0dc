import type { Axes } from '../../dsl/axes.ts';
import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';

type T = Tensor<Axes>;

/** Mean BCE-with-logits of the replaced-token logits over the non-pad positions (spec 4b step 7). */
export function replacedTokenDetectionLoss(logits: T, labels: T, nonPad: T): Tensor<[]> {
  return p.reduceLoss(p.binaryCrossEntropyWithLogits(logits, labels) as T, nonPad, 'masked');
}

/** The reference's prediction round((sign(o) + 1) / 2): 1 iff o > 0 (o = 0 rounds half to even, to 0). */
export function replacedTokenPredictions(logits: T): T {
  return p.cast(logits.gt(0), 'f32') as T;
}

/** Mean of [prediction = label] where mask is true (0 when the mask is empty, where torch gives NaN). */
function maskedAccuracy(correct: T, mask: T): Tensor<[]> {
  const m = p.cast(mask, 'f32');
  return p.div(p.sumAll(correct.mul(m) as T), p.maximum(p.sumAll(m), 1)) as Tensor<[]>;
}

/** disc_acc = 0.5·acc(S) + 0.5·acc(not S); like the reference, "not S" includes pad positions. */
export function discriminatorAccuracy(logits: T, labels: T, selected: T): Tensor<[]> {
  const correct = p.cast(replacedTokenPredictions(logits).eq(labels), 'f32') as T;
  return maskedAccuracy(correct, selected).mul(0.5).add(maskedAccuracy(correct, p.not(selected)).mul(0.5)) as Tensor<[]>;
}
