import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import type { Hidden } from '../../models/encoder.ts';

/** One state per row. */
type RowState = Tensor<['batch', 'hidden']>;

/** Whether update `step` (0-based: fairseq's update_num) is a semantic-consistency step: step mod F == 0. */
export function isAlignStep(step: number, alignEvery: number): boolean {
  return alignEvery > 0 && step % alignEvery === 0;
}

/** The position-0 state of each row. */
export function firstToken(h: Hidden): RowState {
  return p.squeeze(p.slice(h, 'seq', 0, 1), 'seq');
}

/**
 * KL(full ‖ drop) of the softmax over the hidden dimension of two ['batch', 'hidden'] states,
 * summed over batch and hidden (torch's kl_div(log P_drop, P_full, reduction='sum')). Both sides
 * receive gradient.
 */
export function hiddenSoftmaxKl(full: RowState, drop: RowState): Tensor<[]> {
  return p.sumAll(p.klDivergence(p.logSoftmax(full, 'hidden'), p.logSoftmax(drop, 'hidden'), 'hidden'));
}
