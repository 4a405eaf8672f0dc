import type { Axes } from '../axes.ts';
import { TraceError } from '../errors.ts';
import { mul, where } from '../ops/elementwise.ts';
import { type KeyTensor, uniform } from '../random.ts';
import type { Tensor } from '../tensor.ts';

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by
 * 1 / (1 - rate). The mask comes from the key (pure; a compiled kernel generates it in place).
 * rate 0 returns x unchanged.
 */
export function dropout<A extends Axes>(key: KeyTensor, x: Tensor<A>, rate: number): Tensor<A> {
  if (!(rate >= 0 && rate < 1)) throw new TraceError('dropout', `rate must be in [0, 1), got ${rate}`, { rate });
  if (rate === 0) return x;
  const keep = uniform<A>(key, x.axes, x.shape);
  return where(keep.ge(rate), mul(x, 1 / (1 - rate)), 0) as unknown as Tensor<A>; // Union<A, A> = A (generic A)
}
