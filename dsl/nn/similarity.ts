import type { Axes, Union, Without } from '../axes.ts';
import { div, maximum, mul, sqrt, square } from '../ops/elementwise.ts';
import { sum } from '../ops/reduce.ts';
import type { Tensor } from '../tensor.ts';

/**
 * x / max(||x||_2, eps) along an axis (PyTorch's F.normalize, eps 1e-12), computed as
 * x / sqrt(max(sum x², eps²)): the same values, but a finite gradient at x = 0 (the square root's
 * derivative is never taken at 0).
 */
export function l2Normalize<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X, eps = 1e-12): Tensor<A> {
  const norm = sqrt(maximum(sum(square(x), axis), eps * eps));
  return div(x, norm) as unknown as Tensor<A>;
}

/** Cosine similarity along an axis, each side normalised with l2Normalize. */
export function cosineSimilarity<A extends Axes, B extends Axes, X extends A[number] & B[number]>(
  a: Tensor<A>,
  b: Tensor<B>,
  axis: X,
  eps = 1e-12,
): Tensor<Without<Union<A, B>, X>> {
  return sum(mul(l2Normalize(a, axis, eps), l2Normalize(b, axis, eps)).untyped(), axis) as Tensor<Axes> as Tensor<Without<Union<A, B>, X>>;
}
