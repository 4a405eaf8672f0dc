import type { DType } from '../ir/dtype.ts';
import { sizeOf } from '../ir/node.ts';

export type HostData = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

/** A concrete array: row-major data with a shape and dtype. */
export interface HostArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: HostData;
}

/** Storage the reference interpreter uses for each dtype: f32 is held in float64. */
export function allocInterp(dtype: DType, shape: readonly number[]): HostArray {
  const n = sizeOf(shape);
  const data =
    dtype === 'f32' ? new Float64Array(n) : dtype === 'i32' ? new Int32Array(n) : dtype === 'u32' ? new Uint32Array(n) : new Uint8Array(n);
  return { dtype, shape, data };
}

/** Storage compiled backends use: f32 is float32. */
export function allocCompiled(dtype: DType, shape: readonly number[]): HostArray {
  const n = sizeOf(shape);
  const data =
    dtype === 'f32' ? new Float32Array(n) : dtype === 'i32' ? new Int32Array(n) : dtype === 'u32' ? new Uint32Array(n) : new Uint8Array(n);
  return { dtype, shape, data };
}

/** Offsets into an array with `strides` for every element of `shape`, in row-major order. */
export function offsetsFor(shape: readonly number[], strides: readonly number[], base = 0): Int32Array {
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = base;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]!++;
      off += strides[a]!;
      if (idx[a]! < shape[a]!) break;
      off -= strides[a]! * shape[a]!;
      idx[a] = 0;
    }
  }
  return out;
}
