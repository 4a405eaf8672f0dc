import type { DType } from '../compiler/ir/dtype.ts';
import type { Node } from '../compiler/ir/node.ts';
import type { Axes, DotAxes, Gathered, Merged, NamesOf, Renamed, Replace, Union, Without } from './axes.ts';
import { AxisError, describeAxes } from './errors.ts';
import * as ew from './ops/elementwise.ts';
import * as red from './ops/reduce.ts';
import * as sh from './ops/shape.ts';
import { dot } from './ops/dot.ts';
import { gather } from './ops/gather.ts';

/**
 * A symbolic tensor with named axes: `Tensor<['batch', 'seq', 'hidden']>`. Building expressions
 * builds a graph; nothing is computed until the function is interpreted or compiled. Axis names
 * are part of the type, so a misspelt axis is a compile-time error; sizes are checked at trace
 * time. Tensors are immutable and every op is pure.
 */
export class Tensor<A extends Axes = Axes> {
  readonly node: Node;
  readonly axes: A;

  constructor(node: Node, axes: A) {
    if (axes.length !== node.shape.length) {
      throw new AxisError('Tensor', `${axes.length} axis names [${axes.join(', ')}] for a rank-${node.shape.length} value`, { axes });
    }
    if (new Set(axes).size !== axes.length) throw new AxisError('Tensor', `duplicate axis name in [${axes.join(', ')}]`, { axes });
    this.node = node;
    this.axes = axes;
  }

  get shape(): readonly number[] {
    return this.node.shape;
  }
  get dtype(): DType {
    return this.node.dtype;
  }
  get rank(): number {
    return this.axes.length;
  }
  /** Number of elements. */
  get size(): number {
    return this.node.size;
  }
  /** Size of a named axis. */
  dim(axis: A[number]): number {
    return this.shape[this.axisIndex(axis, 'dim')]!;
  }
  /** Position of a named axis (throws a clear error for a name the tensor lacks). */
  axisIndex(axis: string, op = 'axis'): number {
    const i = this.axes.indexOf(axis);
    if (i < 0) throw new AxisError(op, `no axis "${axis}" in ${describeAxes(this.axes, this.shape)}`, { axis, axes: this.axes });
    return i;
  }
  /** Escape hatch (host boundary only, see dsl/boundary.ts): the same tensor with axes typed as plain strings. */
  untyped(): Tensor<Axes> {
    return this as Tensor<Axes>;
  }
  /** Host boundary (see dsl/boundary.ts): asserts at trace time that the axes are exactly `axes`, and types them so. */
  as<const B extends Axes>(axes: readonly [...B]): Tensor<B> {
    if (axes.length !== this.axes.length || axes.some((a, i) => a !== this.axes[i])) {
      throw new AxisError('as', `expected axes [${axes.join(', ')}], have ${describeAxes(this.axes, this.shape)}`, { axes: this.axes });
    }
    return this as unknown as Tensor<B>;
  }
  toString(): string {
    return `Tensor<${this.dtype}>${describeAxes(this.axes, this.shape)}`;
  }

  // ---- fluent forms of the common ops (see dsl/ops for the free functions) ----
  add<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.add(this, b); }
  sub<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.sub(this, b); }
  mul<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.mul(this, b); }
  div<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.div(this, b); }
  pow<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.pow(this, b); }
  maximum<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.maximum(this, b); }
  minimum<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.minimum(this, b); }
  lt<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.lt(this, b); }
  le<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.le(this, b); }
  gt<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.gt(this, b); }
  ge<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.ge(this, b); }
  eq<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.eq(this, b); }
  ne<B extends Axes = []>(b: Tensor<B> | number): Tensor<Union<A, NoInfer<B>>> { return ew.ne(this, b); }
  and<B extends Axes = []>(b: Tensor<B> | boolean): Tensor<Union<A, NoInfer<B>>> { return ew.and(this, b); }
  or<B extends Axes = []>(b: Tensor<B> | boolean): Tensor<Union<A, NoInfer<B>>> { return ew.or(this, b); }
  not(): Tensor<A> { return ew.not(this); }
  neg(): Tensor<A> { return ew.neg(this); }
  exp(): Tensor<A> { return ew.exp(this); }
  log(): Tensor<A> { return ew.log(this); }
  log1p(): Tensor<A> { return ew.log1p(this); }
  sqrt(): Tensor<A> { return ew.sqrt(this); }
  rsqrt(): Tensor<A> { return ew.rsqrt(this); }
  tanh(): Tensor<A> { return ew.tanh(this); }
  erf(): Tensor<A> { return ew.erf(this); }
  abs(): Tensor<A> { return ew.abs(this); }
  sign(): Tensor<A> { return ew.sign(this); }
  reciprocal(): Tensor<A> { return ew.reciprocal(this); }
  sin(): Tensor<A> { return ew.sin(this); }
  cos(): Tensor<A> { return ew.cos(this); }
  square(): Tensor<A> { return ew.square(this); }
  sigmoid(): Tensor<A> { return ew.sigmoid(this); }
  cast(dtype: DType): Tensor<A> { return ew.cast(this, dtype); }

  sum<X extends A[number]>(axis: X | readonly X[]): Tensor<Without<A, X>> { return red.sum(this, axis); }
  max<X extends A[number]>(axis: X | readonly X[]): Tensor<Without<A, X>> { return red.max(this, axis); }
  min<X extends A[number]>(axis: X | readonly X[]): Tensor<Without<A, X>> { return red.min(this, axis); }
  mean<X extends A[number]>(axis: X | readonly X[]): Tensor<Without<A, X>> { return red.mean(this, axis); }
  argmax<X extends A[number]>(axis: X): Tensor<Without<A, X>> { return red.argmax(this, axis); }
  /** Sum of all elements (a scalar). */
  sumAll(): Tensor<[]> { return red.sumAll(this); }

  dot<B extends Axes, C extends A[number] & B[number]>(b: Tensor<B>, axis: C | readonly C[]): Tensor<DotAxes<A, B, C>> {
    return dot(this, b, axis);
  }
  gather<I extends Axes, X extends A[number]>(indices: Tensor<I>, axis: X): Tensor<Gathered<A, I, X>> {
    return gather(this, indices, axis);
  }

  rename<const M extends Partial<Record<A[number], string>>>(map: M): Tensor<Renamed<A, M>> { return sh.rename(this, map); }
  transpose<const B extends NamesOf<A>>(axes: readonly [...B]): Tensor<B> { return sh.transpose(this, axes); }
  split<X extends A[number], const N extends readonly [string, string]>(axis: X, names: readonly [...N], sizes: readonly [number, number]): Tensor<Replace<A, X, N>> {
    return sh.split(this, axis, names, sizes);
  }
  merge<X extends A[number], Y extends A[number], Into extends string>(axes: readonly [X, Y], into: Into): Tensor<Merged<A, X, Y, Into>> {
    return sh.merge(this, axes, into);
  }
  slice(axis: A[number], start: number, end: number): Tensor<A> { return sh.slice(this, axis, start, end); }
  pad(axis: A[number], lo: number, hi: number): Tensor<A> { return sh.pad(this, axis, lo, hi); }
  /** Adds new axes (appended, broadcast). */
  expand<const N extends Axes>(axes: readonly [...N], sizes: readonly number[]): Tensor<[...A, ...N]> { return sh.expand(this, axes, sizes); }
  /** Removes size-1 axes. */
  squeeze<X extends A[number]>(axis: X | readonly X[]): Tensor<Without<A, X>> { return sh.squeeze(this, axis); }
}
