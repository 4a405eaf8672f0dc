import * as ir from '../../compiler/ir/ops.ts';
import type { Axes, Without } from '../axes.ts';
import { AxisError, DTypeMismatchError, describeAxes } from '../errors.ts';
import { Tensor } from '../tensor.ts';

/** Positions of the named axes (errors name the missing one). */
export function axisPositions(x: Tensor<Axes>, axis: string | readonly string[], op: string): number[] {
  const names: unknown[] = typeof axis === 'string' ? [axis] : Array.isArray(axis) ? axis : [axis];
  return names.map((a) => {
    // untyped callers (plain JS, `as any`) can pass a tensor where an axis name belongs
    if (typeof a !== 'string') throw new AxisError(op, `axis must be an axis name, got ${a instanceof Tensor ? 'a tensor (elementwise: use maximum/minimum)' : typeof a}`);
    return x.axisIndex(a, op);
  });
}

function reduced<A extends Axes, X extends string>(x: Tensor<A>, positions: readonly number[]): Without<A, X> {
  return x.axes.filter((_, i) => !positions.includes(i)) as unknown as Without<A, X>;
}

export function sum<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X | readonly X[]): Tensor<Without<A, X>> {
  if (x.dtype === 'bool') throw new DTypeMismatchError('sum', `cannot sum a bool tensor ${describeAxes(x.axes, x.shape)}; cast it first`);
  const pos = axisPositions(x, axis, 'sum');
  return new Tensor(ir.reduceSum(x.node, pos), reduced<A, X>(x, pos));
}

export function max<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X | readonly X[]): Tensor<Without<A, X>> {
  if (x.dtype === 'bool') throw new DTypeMismatchError('max', 'cannot take the max of a bool tensor; cast it first');
  const pos = axisPositions(x, axis, 'max');
  return new Tensor(ir.reduceMax(x.node, pos), reduced<A, X>(x, pos));
}

export function min<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X | readonly X[]): Tensor<Without<A, X>> {
  const pos = axisPositions(x, axis, 'min');
  return new Tensor(ir.neg(ir.reduceMax(ir.neg(x.node), pos)), reduced<A, X>(x, pos));
}

export function mean<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X | readonly X[]): Tensor<Without<A, X>> {
  const pos = axisPositions(x, axis, 'mean');
  const count = pos.reduce((p, i) => p * x.shape[i]!, 1);
  const s = ir.reduceSum(x.node, pos);
  return new Tensor(ir.scale(s, 1 / count), reduced<A, X>(x, pos));
}

/** Index of the first maximum along an axis (i32; no gradient). */
export function argmax<A extends Axes, X extends A[number]>(x: Tensor<A>, axis: X): Tensor<Without<A, X>> {
  const pos = axisPositions(x, axis, 'argmax');
  return new Tensor(ir.argmax(x.node, pos[0]!), reduced<A, X>(x, pos));
}

/** Sum over every axis: a scalar. */
export function sumAll(x: Tensor<Axes>): Tensor<[]> {
  return new Tensor(ir.reduceSum(x.node, x.axes.map((_, i) => i)), [] as []);
}

/** Mean over every axis: a scalar. */
export function meanAll(x: Tensor<Axes>): Tensor<[]> {
  return new Tensor(ir.scale(ir.reduceSum(x.node, x.axes.map((_, i) => i)), 1 / Math.max(1, x.size)), [] as []);
}
