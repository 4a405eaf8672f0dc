import type { Axes } from '../../dsl/axes.ts';
import * as p from '../../dsl/index.ts';
import type { Tensor } from '../../dsl/tensor.ts';

type T = Tensor<Axes>;

/** Whether update `step` (0-based: fairseq's update_num) is a semantic-consistency step: step mod F == 0. */
export function isAlignStep(step: number, alignEvery: number): boolean {
  return alignEvery > 0 && step % alignEvery === 0;
}

/** The position-0 state ['batch', 'hidden'] of ['batch', 'seq', 'hidden'] hidden states. */
export function firstToken(h: T): T {
  return p.squeeze(p.slice(h, 'seq', 0, 1), 'seq') as T;
}

/**
 * KL(full ‖ drop) of the softmax over the hidden dimension of two ['batch', 'hidden'] states,
 * summed over batch and hidden (torch's kl_div(log P_drop, P_full, reduction='sum')). Both sides
 * receive gradient.
 */
export function hiddenSoftmaxKl(full: T, drop: T): Tensor<[]> {
  return p.sumAll(p.klDivergence(p.logSoftmax(full, 'hidden'), p.logSoftmax(drop, 'hidden'), 'hidden') as T);
}
