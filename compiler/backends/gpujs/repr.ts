import type { DType } from '../../ir/dtype.ts';
import type { HostData } from '../../interpreter/hostArray.ts';

/**
 * How a value is laid out in gpu.js memory, which holds only float32 (WGSL storage buffers of
 * f32, float textures, Float32Arrays):
 * - 'f': one float per element (f32; bool as 0/1).
 * - 'i': two floats per element, the low and high 16-bit halves of the int32/uint32 bit pattern
 *   (exact for every 32-bit value; a single float would be exact only below 2^24, which random
 *   bits and PRNG keys are not).
 */
export type Repr = 'f' | 'i';

export const reprOf = (dtype: DType): Repr => (dtype === 'i32' || dtype === 'u32' ? 'i' : 'f');

/** Floats a value of `elements` elements occupies. */
export const reprFloats = (repr: Repr, elements: number): number => (repr === 'i' ? 2 * elements : elements);

/** Host data as gpu.js input (a fresh Float32Array). */
export function toDevice(dtype: DType, data: ArrayLike<number>): Float32Array {
  if (reprOf(dtype) === 'f') return Float32Array.from(data);
  const out = new Float32Array(2 * data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]! >>> 0;
    out[2 * i] = v & 0xffff;
    out[2 * i + 1] = v >>> 16;
  }
  return out;
}

/** Device floats (from `offset`) back to host storage of `dtype`. */
export function fromDevice(dtype: DType, floats: ArrayLike<number>, offset: number, elements: number): HostData {
  switch (dtype) {
    case 'f32': {
      const out = new Float32Array(elements);
      for (let i = 0; i < elements; i++) out[i] = floats[offset + i]!;
      return out;
    }
    case 'bool': {
      const out = new Uint8Array(elements);
      for (let i = 0; i < elements; i++) out[i] = floats[offset + i] ? 1 : 0;
      return out;
    }
    case 'i32':
    case 'u32': {
      const out = dtype === 'i32' ? new Int32Array(elements) : new Uint32Array(elements);
      for (let i = 0; i < elements; i++) out[i] = (floats[offset + 2 * i + 1]! * 65536 + floats[offset + 2 * i]!) | 0;
      return out;
    }
  }
}
