import type { DType } from '../compiler/ir/dtype.ts';
import { sizeOf } from '../compiler/ir/node.ts';
import type { HostData } from '../compiler/interpreter/hostArray.ts';
import type { Axes } from './axes.ts';
import { AxisError, DTypeMismatchError, SizeMismatchError } from './errors.ts';

/** Shape, dtype and axis names of a value, without data: what tracing needs to build inputs. */
export class TensorSpec<const A extends Axes = Axes> {
  constructor(
    readonly axes: A,
    readonly shape: readonly number[],
    readonly dtype: DType = 'f32',
  ) {
    if (axes.length !== shape.length) throw new AxisError('spec', `${axes.length} axis names for ${shape.length} dimensions`);
  }
}

export const spec = <const A extends Axes>(axes: A, shape: readonly number[], dtype: DType = 'f32'): TensorSpec<A> => new TensorSpec(axes, shape, dtype);

function storageFor(dtype: DType, data: ArrayLike<number>): HostData {
  if (dtype === 'f32') return data instanceof Float32Array || data instanceof Float64Array ? data : Float32Array.from(data);
  if (dtype === 'i32') return data instanceof Int32Array ? data : Int32Array.from(data);
  if (dtype === 'u32') return data instanceof Uint32Array ? data : Uint32Array.from(data);
  return data instanceof Uint8Array ? data : Uint8Array.from(data, (v) => (v ? 1 : 0));
}

/**
 * A concrete array with named axes: inputs to and results of interpreted or compiled functions.
 * f32 data is a Float32Array (compiled results) or a Float64Array (interpreter results).
 */
export class HostTensor<const A extends Axes = Axes> {
  readonly axes: A;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: HostData;

  constructor(axes: A, shape: readonly number[], dtype: DType, data: ArrayLike<number>) {
    if (axes.length !== shape.length) throw new AxisError('HostTensor', `${axes.length} axis names for ${shape.length} dimensions`);
    if (new Set(axes).size !== axes.length) throw new AxisError('HostTensor', `duplicate axis name in [${axes.join(', ')}]`);
    if (data.length !== sizeOf(shape)) {
      throw new SizeMismatchError('HostTensor', `${data.length} values for shape [${shape.join(', ')}] (${sizeOf(shape)} elements)`);
    }
    const stored = storageFor(dtype, data);
    if (dtype === 'f32' && !(stored instanceof Float32Array || stored instanceof Float64Array)) {
      throw new DTypeMismatchError('HostTensor', 'f32 data must be a Float32Array, Float64Array or number array');
    }
    this.axes = axes;
    this.shape = [...shape];
    this.dtype = dtype;
    this.data = stored;
  }

  /** A scalar's value, or element i of the flattened data. */
  item(i = 0): number {
    return this.data[i]!;
  }
  /** Size of a named axis. */
  dim(axis: A[number]): number {
    const i = this.axes.indexOf(axis);
    if (i < 0) throw new AxisError('dim', `no axis "${axis}" in [${this.axes.join(', ')}]`);
    return this.shape[i]!;
  }
  toArray(): number[] {
    return Array.from(this.data);
  }
}

/** A host tensor from data: hostTensor(new Float32Array(6), ['b', 'd'], [2, 3]). */
export function hostTensor<const A extends Axes>(data: ArrayLike<number>, axes: readonly [...A], shape: readonly number[], dtype: DType = 'f32'): HostTensor<A> {
  return new HostTensor(axes as A, shape, dtype, data); // A: the names as a (mutable) tuple, as Symbolic/Concrete types have them
}

/** A scalar host tensor. */
export function hostScalar(value: number, dtype: DType = 'f32'): HostTensor<[]> {
  return new HostTensor([] as [], [], dtype, [value]);
}
