import type { DType } from '../../ir/dtype.ts';
import { type HostArray, allocCompiled } from '../../interpreter/hostArray.ts';

/** A host array's values as the arena's 32-bit words (bools widen to one word each). */
export function toWords(dtype: DType, data: ArrayLike<number>): Uint32Array<ArrayBuffer> {
  switch (dtype) {
    case 'f32': return new Uint32Array(Float32Array.from(data).buffer);
    case 'i32': return new Uint32Array(Int32Array.from(data).buffer);
    case 'u32': return data instanceof Uint32Array && data.buffer instanceof ArrayBuffer ? (data as Uint32Array<ArrayBuffer>) : Uint32Array.from(data);
    case 'bool': return Uint32Array.from(data, (v) => (v ? 1 : 0));
  }
}

/** Words read back from the arena as a host array of `dtype` and `shape`. */
export function fromWords(dtype: DType, shape: readonly number[], words: Uint32Array): HostArray {
  const out = allocCompiled(dtype, shape);
  if (dtype === 'bool') (out.data as Uint8Array).set(words);
  else new Uint32Array(out.data.buffer, out.data.byteOffset, words.length).set(words);
  return out;
}
