/** Element types a dataset field can have. Shards store them little-endian. */
export const DTYPES = {
  int32: Int32Array,
  uint32: Uint32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  uint8: Uint8Array,
  float32: Float32Array,
} as const;

export type DType = keyof typeof DTYPES;
export type FieldArray = InstanceType<(typeof DTYPES)[DType]>;

export const bytesPerElement = (dtype: DType): number => DTYPES[dtype].BYTES_PER_ELEMENT;

// the host's byte order, without node:os (this module also loads in browsers)
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function swapBytesInPlace(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

/** Little-endian bytes of a typed array (a view on little-endian hosts, a swapped copy otherwise). */
export function toLittleEndianBytes(array: FieldArray): Uint8Array {
  const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return view;
  const copy = Uint8Array.from(view);
  swapBytesInPlace(copy, array.BYTES_PER_ELEMENT);
  return copy;
}

/** A typed array decoded from little-endian bytes (always copied: shard reads may be unaligned). */
export function fromLittleEndianBytes(bytes: Uint8Array, dtype: DType): FieldArray {
  const width = bytesPerElement(dtype);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (!HOST_IS_LITTLE_ENDIAN) swapBytesInPlace(copy, width);
  return new DTYPES[dtype](copy.buffer, 0, bytes.length / width) as FieldArray;
}
