import type { Axes, Without } from '../axes.ts';
import { add, exp, log, stopGradient, sub, div } from '../ops/elementwise.ts';
import { max, sum } from '../ops/reduce.ts';
import type { Tensor } from '../tensor.ts';

/**
 * log(sum(exp(x))) along an axis, stable: the max is subtracted first. The max is a constant for
 * differentiation (stopGradient), which leaves the value and gradient unchanged and keeps argmax
 * ties out of the backward pass.
 */
export function logSumExp<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X): Tensor<Without<A, X>> {
  const m = stopGradient(max(x, axis));
  return add(log(sum(exp(sub(x, m) as unknown as Tensor<A>), axis)), m) as unknown as Tensor<Without<A, X>>;
}

export function logSoftmax<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X): Tensor<A> {
  return sub(x, logSumExp(x, axis)) as unknown as Tensor<A>;
}

export function softmax<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X): Tensor<A> {
  const e = exp(sub(x, stopGradient(max(x, axis))) as unknown as Tensor<A>);
  return div(e, sum(e, axis)) as unknown as Tensor<A>;
}
