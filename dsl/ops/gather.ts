import * as ir from '../../compiler/ir/ops.ts';
import type { Axes, Collapse, Gathered, NamesOf } from '../axes.ts';
import { DTypeMismatchError, SizeMismatchError, describeAxes } from '../errors.ts';
import { callSite } from '../site.ts';
import { Tensor } from '../tensor.ts';

/**
 * Indexes x along `axis` with integer indices. Index axes that x also has are batch axes (one
 * index per batch position); the others replace `axis` in the result:
 *   gather(table['vocab','hidden'], ids['b','t'], 'vocab')    -> ['b','t','hidden']  (embedding)
 *   gather(logits['b','t','vocab'], labels['b','t'], 'vocab') -> ['b','t']           (pick per position)
 *   gather(h['b','t','hidden'], keep['b','k'], 't')            -> ['b','k','hidden']  (rows per batch)
 * Out-of-range indices are a run-time IndexError naming this call's source line.
 */
export function gather<A extends Axes, I extends Axes, X extends A[number]>(
  x: Tensor<A>,
  indices: Tensor<I>,
  axis: X,
): Tensor<Gathered<A, I, X>> {
  if (indices.dtype !== 'i32' && indices.dtype !== 'u32') {
    throw new DTypeMismatchError('gather', `indices must be i32 or u32, got ${indices.dtype}`);
  }
  const ax = x.axisIndex(axis, 'gather');
  if (indices.axes.includes(axis)) {
    throw new SizeMismatchError('gather', `index axes ${describeAxes(indices.axes, indices.shape)} must not include the gathered axis "${axis}"`);
  }
  const batch = indices.axes.filter((a) => x.axes.includes(a));
  for (const b of batch) {
    if (x.dim(b) !== indices.dim(b)) {
      throw new SizeMismatchError('gather', `batch axis "${b}" has size ${x.dim(b)} in ${describeAxes(x.axes, x.shape)} but ${indices.dim(b)} in the indices`);
    }
  }
  const own = indices.axes.filter((a) => !batch.includes(a));
  // Positional layout: x as batch ++ rest, indices as batch ++ own.
  const xRest = x.axes.filter((a) => !batch.includes(a));
  const xOrder = [...batch, ...xRest];
  const xt = ir.transpose(x.node, xOrder.map((a) => x.axes.indexOf(a)));
  const it = ir.transpose(indices.node, [...batch, ...own].map((a) => indices.axes.indexOf(a)));
  const pAxes = xRest.slice(0, xRest.indexOf(axis));
  const qAxes = xRest.slice(xRest.indexOf(axis) + 1);
  const node = ir.gather(xt, it, batch.length + pAxes.length, batch.length, callSite());
  const gotAxes = [...batch, ...pAxes, ...own, ...qAxes];
  // Natural result order: x's axes with `axis` replaced by the indices' own axes.
  const want = [...x.axes.slice(0, ax), ...own, ...x.axes.slice(ax + 1)];
  const result = ir.transpose(node, want.map((a) => gotAxes.indexOf(a)));
  return new Tensor(result, want as unknown as Gathered<A, I, X>);
}

/**
 * The transpose of gather (without batch axes): the index axes in `updates` are replaced by `axis`
 * of length `size` (at the first one's place), and each update slice is added at its index.
 *   scatterAdd(rows['b','t','hidden'], ids['b','t'], 'vocab', V) -> ['vocab','hidden']
 */
export function scatterAdd<U extends Axes, I extends NamesOf<U>, X extends string>(
  updates: Tensor<U>,
  indices: Tensor<I>,
  axis: X,
  size: number,
): Tensor<Collapse<U, I[number], X>> {
  if (indices.dtype !== 'i32' && indices.dtype !== 'u32') {
    throw new DTypeMismatchError('scatterAdd', `indices must be i32 or u32, got ${indices.dtype}`);
  }
  for (const a of indices.axes) updates.axisIndex(a, 'scatterAdd');
  for (const a of indices.axes) {
    if (updates.dim(a) !== indices.dim(a)) {
      throw new SizeMismatchError('scatterAdd', `axis "${a}" has size ${updates.dim(a)} in the updates but ${indices.dim(a)} in the indices`);
    }
  }
  // Lay updates out as P ++ I ++ Q with the index axes contiguous at the first one's place.
  const firstPos = Math.min(...indices.axes.map((a) => updates.axes.indexOf(a)));
  const rest = updates.axes.filter((a) => !indices.axes.includes(a));
  const before = rest.filter((a) => updates.axes.indexOf(a) < firstPos);
  const after = rest.filter((a) => updates.axes.indexOf(a) > firstPos);
  const ua = ir.transpose(updates.node, [...before, ...indices.axes, ...after].map((a) => updates.axes.indexOf(a)));
  const node = ir.scatterAdd(ua, indices.node, before.length, 0, size, callSite());
  return new Tensor(node, [...before, axis, ...after] as unknown as Collapse<U, I[number], X>);
}
