import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { TokenGrid } from '../../models/encoder.ts';

/** Mean BCE-with-logits of the replaced-token logits over the non-pad positions (spec 4b step 7). */
export function replacedTokenDetectionLoss(logits: TokenGrid, labels: TokenGrid, nonPad: TokenGrid): Tensor<[]> {
  return p.reduceLoss(p.binaryCrossEntropyWithLogits(logits, labels), nonPad, 'masked');
}

/** The reference's prediction round((sign(o) + 1) / 2): 1 iff o > 0 (o = 0 rounds half to even, to 0). */
export function replacedTokenPredictions(logits: TokenGrid): TokenGrid {
  return p.cast(logits.gt(0), 'f32');
}

/** Mean of [prediction = label] where mask is true (0 when the mask is empty, where torch gives NaN). */
function maskedAccuracy(correct: TokenGrid, mask: TokenGrid): Tensor<[]> {
  const m = p.cast(mask, 'f32');
  return p.div(p.sumAll(correct.mul(m)), p.maximum(p.sumAll(m), 1));
}

/** disc_acc = 0.5·acc(S) + 0.5·acc(not S); like the reference, "not S" includes pad positions. */
export function discriminatorAccuracy(logits: TokenGrid, labels: TokenGrid, selected: TokenGrid): Tensor<[]> {
  const correct = p.cast(replacedTokenPredictions(logits).eq(labels), 'f32');
  return maskedAccuracy(correct, selected).mul(0.5).add(maskedAccuracy(correct, p.not(selected)).mul(0.5));
}
