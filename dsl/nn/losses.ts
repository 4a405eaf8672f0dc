import type { Axes, NamesOf, Without } from '../axes.ts';
import { DTypeMismatchError, SizeMismatchError, describeAxes } from '../errors.ts';
import { customVjp } from '../grad.ts';
import { abs, add, cast, div, eq, exp, log1p, maximum, mul, neg, sub } from '../ops/elementwise.ts';
import { iota } from '../ops/create.ts';
import { sum, sumAll } from '../ops/reduce.ts';
import { Tensor } from '../tensor.ts';
import { logSumExp, softmax } from './softmax.ts';

/** One-hot along a new axis of size n (f32). Out-of-range indices give an all-zero row. */
export function oneHot<A extends Axes, const X extends string>(indices: Tensor<A>, axis: X, n: number): Tensor<[...A, X]> {
  if (indices.dtype !== 'i32') throw new DTypeMismatchError('oneHot', `indices must be i32, got ${indices.dtype}`);
  const positions = iota<[X]>([axis], [n], axis);
  return cast(eq(indices, positions), 'f32') as unknown as Tensor<[...A, X]>;
}

/**
 * Per-position softmax cross-entropy -log softmax(logits)[label] along the class axis `axis`, with
 * a fused backward (softmax - onehot): no one-hot or log-probability tensor is materialised. The
 * labels' axes are logits' other axes (a subset: a missing one broadcasts).
 * Labels out of range (e.g. -100 at ignored positions) give lse(logits), to be masked by the caller.
 */
export function softmaxCrossEntropy<A extends Axes, X extends A[number], L extends NamesOf<Without<A, X>>>(
  logits: Tensor<A>,
  labels: Tensor<L>,
  axis: X,
): Tensor<Without<A, X>> {
  if (labels.dtype !== 'i32') throw new DTypeMismatchError('softmaxCrossEntropy', `labels must be i32, got ${labels.dtype}`);
  const n = logits.dim(axis);
  const hot = oneHot(labels.untyped(), axis, n);
  const lossFn = customVjp(
    'softmaxCrossEntropy',
    (z: Tensor<Axes>) => sub(logSumExp(z, axis), sum(mul(z, hot) as Tensor<Axes>, axis)) as Tensor<Axes>,
    (g, [z]) => [mul(sub(softmax(z, axis), hot), g) as Tensor<Axes>],
  );
  return lossFn(logits as Tensor<Axes>) as unknown as Tensor<Without<A, X>>;
}

/** How a summed loss is normalised. */
export type Normalizer = 'masked' | 'all' | 'none' | Tensor<[]>;

/**
 * Averages per-position losses: over positions where mask is true ('masked', the MLM default;
 * zero masked positions give 0, not NaN), over all positions ('all'), not at all ('none'), or by
 * a given count tensor (e.g. non-pad tokens, fairseq's ntokens). The mask's axes are loss axes.
 */
export function reduceLoss<A extends Axes>(perPosition: Tensor<A>, mask: Tensor<NamesOf<A>> | undefined, normalizer: Normalizer): Tensor<[]> {
  const m = mask ? (mask.dtype === 'f32' ? mask : cast(mask, 'f32')) : undefined;
  if (m) {
    for (const a of m.axes) {
      if (!perPosition.axes.includes(a)) throw new SizeMismatchError('reduceLoss', `mask axis "${a}" is not a loss axis ${describeAxes(perPosition.axes, perPosition.shape)}`);
    }
  }
  const total = sumAll(m ? mul(perPosition, m) : perPosition);
  if (normalizer === 'none') return total;
  if (normalizer instanceof Tensor) return div(total, normalizer);
  if (normalizer === 'all') return mul(total, 1 / Math.max(1, perPosition.size));
  if (!m) return mul(total, 1 / Math.max(1, perPosition.size));
  return div(total, maximum(sumAll(m), 1));
}

/** Mean (by `normalizer`) softmax cross-entropy over the positions selected by `mask`. */
export function crossEntropy<A extends Axes, X extends A[number], L extends NamesOf<Without<A, X>>>(
  logits: Tensor<A>,
  labels: Tensor<L>,
  axis: X,
  options: { mask?: Tensor<NamesOf<Without<A, X>>>; normalizer?: Normalizer } = {},
): Tensor<[]> {
  return reduceLoss(softmaxCrossEntropy(logits, labels, axis), options.mask, options.normalizer ?? 'masked');
}

/** Per-position binary cross-entropy with logits: max(x,0) - x y + log(1 + e^-|x|). */
export function binaryCrossEntropyWithLogits<A extends Axes>(logits: Tensor<A>, targets: Tensor<NamesOf<A>>): Tensor<A> {
  const y = targets.dtype === 'f32' ? targets : cast(targets, 'f32');
  return add(sub(maximum(logits, 0), mul(logits, y)), log1p(exp(neg(abs(logits))))) as unknown as Tensor<A>;
}

/** KL(p || q) = sum p (log p - log q) along an axis, from log-probabilities. */
export function klDivergence<A extends Axes, X extends A[number]>(logP: Tensor<A>, logQ: Tensor<NamesOf<A>>, axis: X): Tensor<Without<A, X>> {
  return sum(mul(exp(logP), sub(logP, logQ)) as unknown as Tensor<A>, axis);
}
