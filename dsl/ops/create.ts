import type { DType } from '../../compiler/ir/dtype.ts';
import { sizeOf } from '../../compiler/ir/node.ts';
import * as ir from '../../compiler/ir/ops.ts';
import type { Axes } from '../axes.ts';
import { AxisError, SizeMismatchError } from '../errors.ts';
import type { HostTensor } from '../host.ts';
import { Tensor } from '../tensor.ts';

function checkDims(op: string, axes: readonly string[], shape: readonly number[]): void {
  if (axes.length !== shape.length) throw new AxisError(op, `${axes.length} axis names for ${shape.length} sizes`);
  if (new Set(axes).size !== axes.length) throw new AxisError(op, `duplicate axis name in [${axes.join(', ')}]`);
}

/** A scalar constant. */
export const scalar = (value: number, dtype: DType = 'f32'): Tensor<[]> => new Tensor(ir.constant(value, [], dtype), [] as []);

/** A constant value over named axes. */
export function full<const A extends Axes>(axes: readonly [...A], shape: readonly number[], value: number, dtype: DType = 'f32'): Tensor<A> {
  checkDims('full', axes, shape);
  return new Tensor(ir.constant(value, shape, dtype), axes as A);
}
export const zeros = <const A extends Axes>(axes: readonly [...A], shape: readonly number[], dtype: DType = 'f32') => full(axes, shape, 0, dtype);
export const ones = <const A extends Axes>(axes: readonly [...A], shape: readonly number[], dtype: DType = 'f32') => full(axes, shape, 1, dtype);
export const zerosLike = <A extends Axes>(x: Tensor<A>): Tensor<A> => new Tensor(ir.zerosLike(x.node), x.axes);
export const onesLike = <A extends Axes>(x: Tensor<A>): Tensor<A> => new Tensor(ir.full(x.node, 1), x.axes);

/** 0, 1, ..., n-1 along a new axis. */
export function arange<const X extends string>(axis: X, n: number, dtype: DType = 'i32'): Tensor<[X]> {
  return new Tensor(ir.iota([n], 0, dtype), [axis] as [X]);
}

/** The index along `axis`, over the whole given layout. */
export function iota<const A extends Axes>(axes: readonly [...A], shape: readonly number[], axis: A[number], dtype: DType = 'i32'): Tensor<A> {
  checkDims('iota', axes, shape);
  return new Tensor(ir.iota(shape, axes.indexOf(axis), dtype), axes as A);
}

/** Embeds concrete data in the graph (a literal). */
export function constantOf<const A extends Axes>(data: ArrayLike<number>, axes: readonly [...A], shape: readonly number[], dtype: DType = 'f32'): Tensor<A> {
  checkDims('constantOf', axes, shape);
  if (data.length !== sizeOf(shape)) throw new SizeMismatchError('constantOf', `${data.length} values for shape [${shape.join(', ')}]`);
  return new Tensor(ir.literal(data, shape, dtype), axes as A);
}

/** A host tensor embedded as a literal. */
export const literalOf = <A extends Axes>(h: HostTensor<A>): Tensor<A> => constantOf<A>(h.data, h.axes, h.shape, h.dtype);
