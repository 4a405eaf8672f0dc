import type { DType } from '../../compiler/ir/dtype.ts';
import { HostTensor } from '../../dsl/host.ts';
import { TensorDTypeError } from './errors.ts';
import { rawValues, type RawTensor, type TensorToWrite } from './safetensors.ts';

/** safetensors dtype of each pretext dtype (f32 data is always stored as F32, even float64 interpreter results). */
export const SAFE_DTYPE_OF: Readonly<Record<DType, TensorToWrite['dtype']>> = { f32: 'F32', i32: 'I32', u32: 'U32', bool: 'BOOL' };

/** The pretext dtype a stored dtype loads as (F64 narrows to f32); undefined when it has none. */
export function dtypeOfSafe(d: RawTensor['dtype']): DType | undefined {
  return d === 'F32' || d === 'F64' ? 'f32' : d === 'I32' ? 'i32' : d === 'U32' ? 'u32' : d === 'BOOL' ? 'bool' : undefined;
}

/** Row-major [rows, cols] -> [cols, rows]. */
export function transpose2d<T extends Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array>(data: T, rows: number, cols: number): T {
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** A host tensor as a tensor to write under `name`, transposed (2-D only) when asked. */
export function hostToWrite(name: string, t: HostTensor, transpose: boolean): TensorToWrite {
  const data = t.dtype === 'f32' && t.data instanceof Float64Array ? Float32Array.from(t.data) : t.data;
  if (!transpose) return { name, dtype: SAFE_DTYPE_OF[t.dtype], shape: t.shape, data };
  const [rows, cols] = t.shape as [number, number];
  return { name, dtype: SAFE_DTYPE_OF[t.dtype], shape: [cols, rows], data: transpose2d(data, rows, cols) };
}

/**
 * A stored tensor as a host tensor with the given axes (transposed back when it was stored
 * transposed). f32 data comes back as a Float32Array.
 */
export function rawToHost(raw: RawTensor, axes: readonly string[], transpose: boolean, file: string): HostTensor {
  const dtype = dtypeOfSafe(raw.dtype);
  if (!dtype) {
    throw new TensorDTypeError(`${file}: tensor "${raw.name}" is ${raw.dtype}, which pretext cannot load (F32, F64, I32, U32, BOOL)`, {
      file, tensor: raw.name, dtype: raw.dtype,
    });
  }
  let data = rawValues(raw, file);
  if (data instanceof Float64Array) data = Float32Array.from(data);
  if (raw.dtype === 'BOOL') data = Uint8Array.from(data, (v) => (v ? 1 : 0));
  let shape = raw.shape;
  if (transpose) {
    if (raw.shape.length !== 2) {
      throw new TensorDTypeError(`${file}: tensor "${raw.name}" should be a 2-D [out, in] weight, got shape [${raw.shape.join(', ')}]`, { file, tensor: raw.name });
    }
    const [rows, cols] = raw.shape as [number, number];
    data = transpose2d(data, rows, cols);
    shape = [cols, rows];
  }
  const names = axes.length === shape.length ? axes : shape.map((_, i) => `d${i}`);
  return new HostTensor(names, shape, dtype, data);
}
