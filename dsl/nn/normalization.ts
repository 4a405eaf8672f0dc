import type { Axes, IfTyped, Without } from '../axes.ts';
import { add, mul, rsqrt, square, sub } from '../ops/elementwise.ts';
import { mean } from '../ops/reduce.ts';
import type { Tensor } from '../tensor.ts';

/** Population variance along an axis (divides by n, like LayerNorm). */
export function variance<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X): Tensor<Without<A, X>> {
  const centred = sub(x, mean(x, axis)) as unknown as Tensor<A>;
  return mean(square(centred), axis);
}

/**
 * LayerNorm over `axis`: (x - mean) / sqrt(var + eps) * gain + bias. gain and bias are indexed by
 * that axis alone (e.g. Tensor<['hidden']>); omit them for the bare normalisation.
 */
export function layerNorm<A extends Axes, X extends A[number]>(
  x: Tensor<A>,
  axis: X,
  gain?: Tensor<IfTyped<A, [X]>>,
  bias?: Tensor<IfTyped<A, [X]>>,
  eps = 1e-12,
): Tensor<A> {
  const centred = sub(x, mean(x, axis)) as unknown as Tensor<A>;
  const inv = rsqrt(add(mean(square(centred), axis), eps));
  // centred · inv has axes Union<A, Without<A, X>> = A, which TypeScript cannot show for a generic A
  let y = mul(centred, inv) as unknown as Tensor<A>;
  if (gain) y = mul(y, gain) as unknown as Tensor<A>;
  if (bias) y = add(y, bias) as unknown as Tensor<A>;
  return y;
}
