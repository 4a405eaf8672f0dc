import * as ir from '../../compiler/ir/ops.ts';
import type { Axes, Covers, Merged, NamesOf, Renamed, Replace, Without } from '../axes.ts';
import { AxisError, DTypeMismatchError, SizeMismatchError, describeAxes } from '../errors.ts';
import { Tensor } from '../tensor.ts';
import { broadcastNode } from './align.ts';

/** Renames axes (no data movement). */
export function rename<A extends Axes, const M extends Partial<Record<A[number], string>>>(x: Tensor<A>, map: M): Tensor<Renamed<A, M>> {
  for (const k of Object.keys(map)) x.axisIndex(k, 'rename');
  const axes = x.axes.map((a) => (map as Record<string, string | undefined>)[a] ?? a);
  if (new Set(axes).size !== axes.length) throw new AxisError('rename', `renaming [${x.axes.join(', ')}] gives duplicate names [${axes.join(', ')}]`);
  return new Tensor(x.node, axes as unknown as Renamed<A, M>);
}

/** Reorders axes: `axes` must be a permutation of x's axes. */
export function transpose<A extends Axes, const B extends NamesOf<A>>(x: Tensor<A>, axes: readonly [...B]): Tensor<B> {
  if (axes.length !== x.axes.length || new Set(axes).size !== axes.length) {
    throw new AxisError('transpose', `[${axes.join(', ')}] is not a permutation of ${describeAxes(x.axes, x.shape)}`);
  }
  return new Tensor(ir.transpose(x.node, axes.map((a) => x.axisIndex(a, 'transpose'))), axes as B);
}

/** Splits one axis into two (row-major): split(x, 'hidden', ['head', 'hd'], [H, d / H]). */
export function split<A extends Axes, X extends A[number], const N extends readonly [string, string]>(
  x: Tensor<A>,
  axis: X,
  names: readonly [...N],
  sizes: readonly [number, number],
): Tensor<Replace<A, X, N>> {
  const i = x.axisIndex(axis, 'split');
  if (sizes[0] * sizes[1] !== x.shape[i]) {
    throw new SizeMismatchError('split', `axis "${axis}" of size ${x.shape[i]} cannot split into ${names[0]}=${sizes[0]} x ${names[1]}=${sizes[1]}`);
  }
  for (const n of names) if (x.axes.includes(n) && n !== axis) throw new AxisError('split', `axis name "${n}" already in ${describeAxes(x.axes, x.shape)}`);
  const shape = [...x.shape.slice(0, i), sizes[0], sizes[1], ...x.shape.slice(i + 1)];
  const axes = [...x.axes.slice(0, i), names[0], names[1], ...x.axes.slice(i + 1)];
  return new Tensor(ir.reshape(x.node, shape), axes as unknown as Replace<A, X, N>);
}

/**
 * Merges two axes into one, at the first one's position (row-major: the first becomes the outer
 * part). If they are not adjacent, the second is moved next to the first.
 */
export function merge<A extends Axes, X extends A[number], Y extends A[number], const Into extends string>(
  x: Tensor<A>,
  [outer, inner]: readonly [X, Y],
  into: Into,
): Tensor<Merged<A, X, Y, Into>> {
  const i = x.axisIndex(outer, 'merge');
  const j = x.axisIndex(inner, 'merge');
  if (i === j) throw new AxisError('merge', `cannot merge axis "${outer}" with itself`);
  const order = x.axes.map((_, k) => k).filter((k) => k !== j);
  order.splice(order.indexOf(i) + 1, 0, j);
  const moved = ir.transpose(x.node, order);
  const axes = order.map((k) => x.axes[k]!);
  const shape = order.map((k) => x.shape[k]!);
  const at = axes.indexOf(outer);
  const mergedAxes = [...axes.slice(0, at), into, ...axes.slice(at + 2)];
  if (new Set(mergedAxes).size !== mergedAxes.length) throw new AxisError('merge', `axis name "${into}" already in use`);
  const mergedShape = [...shape.slice(0, at), shape[at]! * shape[at + 1]!, ...shape.slice(at + 2)];
  return new Tensor(ir.reshape(moved, mergedShape), mergedAxes as unknown as Merged<A, X, Y, Into>);
}

/** Elements [start, end) of one axis. */
export function slice<A extends Axes>(x: Tensor<A>, axis: A[number], start: number, end: number): Tensor<A> {
  const i = x.axisIndex(axis, 'slice');
  const n = x.shape[i]!;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw new SizeMismatchError('slice', `range [${start}, ${end}) is outside axis "${axis}" of size ${n}`, { axis, start, end, size: n });
  }
  const starts = x.shape.map((_, k) => (k === i ? start : 0));
  const ends = x.shape.map((d, k) => (k === i ? end : d));
  return new Tensor(ir.slice(x.node, starts, ends), x.axes);
}

/** Zero padding of one axis. */
export function pad<A extends Axes>(x: Tensor<A>, axis: A[number], lo: number, hi: number): Tensor<A> {
  const i = x.axisIndex(axis, 'pad');
  return new Tensor(ir.pad(x.node, x.shape.map((_, k) => (k === i ? lo : 0)), x.shape.map((_, k) => (k === i ? hi : 0))), x.axes);
}

/** Concatenation along a named axis; the operands may list their axes in any order. */
export function concat<A extends Axes>(xs: readonly Tensor<A>[], axis: A[number]): Tensor<A> {
  if (xs.length === 0) throw new AxisError('concat', 'needs at least one tensor');
  const first = xs[0]!;
  const k = first.axisIndex(axis, 'concat');
  const nodes = xs.map((x, n) => {
    if (x.dtype !== first.dtype) throw new DTypeMismatchError('concat', `operand ${n} is ${x.dtype}, operand 0 is ${first.dtype}`);
    if (x.axes.length !== first.axes.length || !first.axes.every((a) => x.axes.includes(a))) {
      throw new AxisError('concat', `operand ${n} has axes ${describeAxes(x.axes, x.shape)}, operand 0 has ${describeAxes(first.axes, first.shape)}`);
    }
    const node = ir.transpose(x.node, first.axes.map((a) => x.axes.indexOf(a)));
    node.shape.forEach((d, i) => {
      if (i !== k && d !== first.shape[i]) {
        throw new SizeMismatchError('concat', `axis "${first.axes[i]}" has size ${d} in operand ${n} but ${first.shape[i]} in operand 0`);
      }
    });
    return node;
  });
  return new Tensor(ir.concat(nodes, k), first.axes);
}

/** New axes appended to x, broadcast. */
export function expand<A extends Axes, const N extends Axes>(x: Tensor<A>, axes: readonly [...N], sizes: readonly number[]): Tensor<[...A, ...N]> {
  if (axes.length !== sizes.length) throw new AxisError('expand', `${axes.length} names for ${sizes.length} sizes`);
  for (const a of axes) if (x.axes.includes(a)) throw new AxisError('expand', `axis "${a}" already in ${describeAxes(x.axes, x.shape)}`);
  const allAxes = [...x.axes, ...axes];
  return new Tensor(broadcastNode(x, allAxes, [...x.shape, ...sizes]), allAxes as unknown as [...A, ...N]);
}

/** x laid out over exactly `axes` (in that order), broadcasting over the new ones; x's axes must all be in `axes`. */
export function broadcastTo<A extends Axes, const B extends Axes>(x: Tensor<A>, axes: readonly [...B] & Covers<B, A>, shape: readonly number[]): Tensor<B> {
  x.axes.forEach((a, i) => {
    const k = axes.indexOf(a);
    if (k >= 0 && shape[k] !== x.shape[i]) {
      throw new SizeMismatchError('broadcastTo', `axis "${a}" has size ${x.shape[i]}, target size ${shape[k]}`);
    }
  });
  return new Tensor(broadcastNode(x, axes, shape), axes as B);
}

/** Removes size-1 axes. */
export function squeeze<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X | readonly X[]): Tensor<Without<A, X>> {
  const names: string[] = typeof axis === 'string' ? [axis] : [...axis];
  const pos = names.map((a) => x.axisIndex(a, 'squeeze'));
  for (const p of pos) if (x.shape[p] !== 1) throw new SizeMismatchError('squeeze', `axis "${x.axes[p]}" has size ${x.shape[p]}, not 1`);
  const keep = x.axes.map((_, i) => i).filter((i) => !pos.includes(i));
  return new Tensor(ir.reshape(x.node, keep.map((i) => x.shape[i]!)), keep.map((i) => x.axes[i]!) as unknown as Without<A, X>);
}
