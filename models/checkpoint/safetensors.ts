import { SafetensorsFormatError, TensorDTypeError, TruncatedFileError } from './errors.ts';

/**
 * The safetensors format (https://github.com/huggingface/safetensors), written and read here
 * without a dependency:
 *
 *   [8 bytes: N, little-endian u64][N bytes: UTF-8 JSON header][data]
 *
 * The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (byte offsets
 * into `data`), plus an optional "__metadata__" object of string values. Tensor data is
 * row-major, little-endian, and the tensors tile `data` exactly (no gaps, no overlaps).
 */
export type SafeDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

export const DTYPE_BYTES: Readonly<Record<SafeDType, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

const isSafeDType = (s: unknown): s is SafeDType => typeof s === 'string' && Object.hasOwn(DTYPE_BYTES, s);

/** One tensor as stored: its bytes are a view into the file's data (little-endian). */
export interface RawTensor {
  readonly name: string;
  readonly dtype: SafeDType;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

/** A tensor to write: typed-array data of the dtype's element type (f32 from a Float32Array or a Float64Array). */
export interface TensorToWrite {
  readonly name: string;
  readonly dtype: 'F32' | 'F64' | 'I32' | 'U32' | 'U8' | 'BOOL';
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;
}

export interface SafetensorsContents {
  readonly tensors: ReadonlyMap<string, RawTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The safetensors library refuses headers above 100 MB; so do we (a corrupt length would otherwise allocate wildly). */
export const MAX_HEADER_BYTES = 100_000_000;
export const METADATA_KEY = '__metadata__';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Little-endian bytes of typed-array data converted to the stored dtype. */
function tensorBytes(t: TensorToWrite): Uint8Array {
  const n = elementCount(t.shape);
  if (t.data.length !== n) {
    throw new SafetensorsFormatError(`tensor "${t.name}": ${t.data.length} values for shape [${t.shape.join(', ')}]`, { tensor: t.name });
  }
  let typed: Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;
  switch (t.dtype) {
    case 'F32': typed = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data); break;
    case 'F64': typed = t.data instanceof Float64Array ? t.data : Float64Array.from(t.data); break;
    case 'I32': typed = t.data instanceof Int32Array ? t.data : Int32Array.from(t.data); break;
    case 'U32': typed = t.data instanceof Uint32Array ? t.data : Uint32Array.from(t.data); break;
    case 'U8': typed = t.data instanceof Uint8Array ? t.data : Uint8Array.from(t.data); break;
    case 'BOOL': typed = Uint8Array.from(t.data, (v) => (v ? 1 : 0)); break;
  }
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  if (LITTLE_ENDIAN || typed.BYTES_PER_ELEMENT === 1) return bytes;
  const swapped = Uint8Array.from(bytes);
  const w = typed.BYTES_PER_ELEMENT;
  for (let i = 0; i < swapped.length; i += w) swapped.subarray(i, i + w).reverse();
  return swapped;
}

/**
 * Encodes tensors (and string metadata) as safetensors bytes, in parts ready to write.
 * Tensors are laid out by decreasing element size, then by name (as the reference library does),
 * so every tensor's data stays aligned to its element size; the header is padded with spaces to a
 * multiple of 8 bytes.
 */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata: Readonly<Record<string, string>> = {}): Uint8Array[] {
  const seen = new Set<string>();
  for (const t of tensors) {
    if (t.name === METADATA_KEY || t.name === '') throw new SafetensorsFormatError(`invalid tensor name ${JSON.stringify(t.name)}`, { tensor: t.name });
    if (seen.has(t.name)) throw new SafetensorsFormatError(`duplicate tensor name "${t.name}"`, { tensor: t.name });
    seen.add(t.name);
  }
  const ordered = [...tensors].sort((a, b) => DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = { ...metadata };
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const t of ordered) {
    const bytes = tensorBytes(t);
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    offset += bytes.byteLength;
    parts.push(bytes);
  }
  // TextEncoder, not Buffer: checkpoints are also encoded in a browser page
  const text = new TextEncoder().encode(JSON.stringify(header));
  const json = new Uint8Array(Math.ceil(text.length / 8) * 8).fill(0x20);
  json.set(text);
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(json.length), true);
  return [size, json, ...parts];
}

const isNonNegInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/**
 * Decodes and validates safetensors bytes: header length within the file, a UTF-8 JSON object,
 * every entry with a known dtype, a shape of non-negative integers and data_offsets whose length
 * matches shape x dtype, the entries tiling the data exactly, metadata values strings. Errors name
 * `file` and the tensor at fault.
 */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsContents {
  const fail = (msg: string, tensor?: string): never => {
    throw new SafetensorsFormatError(`${file}: ${tensor !== undefined ? `tensor "${tensor}": ` : ''}${msg}`, { file, ...(tensor !== undefined ? { tensor } : {}) });
  };
  if (bytes.byteLength < 8) {
    throw new TruncatedFileError(`${file}: ${bytes.byteLength} bytes, too short for the 8-byte header length`, { file, bytes: bytes.byteLength });
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (corrupt header length?)`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.byteLength) {
    throw new TruncatedFileError(`${file}: header of ${headerLen} bytes but the file has ${bytes.byteLength - 8} after the length (truncated?)`, {
      file, headerBytes: headerLen, fileBytes: bytes.byteLength,
    });
  }
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
    if (!text.startsWith('{')) fail('header does not start with "{"');
    header = JSON.parse(text);
  } catch (e) {
    if (e instanceof SafetensorsFormatError) throw e;
    fail(`header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const data = bytes.subarray(8 + headerLen);
  const metadata: Record<string, string> = {};
  const entries: RawTensor[] = [];
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${METADATA_KEY} is not an object`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`${METADATA_KEY}.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) fail('entry is not an object', name);
    const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (!isSafeDType(dtype)) fail(`unknown dtype ${JSON.stringify(dtype)}`, name);
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`, name);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt) || offsets[0] > offsets[1]) {
      fail(`data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 <= begin <= end`, name);
    }
    const [begin, end] = offsets as [number, number];
    const d = dtype as SafeDType;
    const want = elementCount(shape as number[]) * DTYPE_BYTES[d];
    if (end - begin !== want) fail(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${d}[${(shape as number[]).join(', ')}] needs ${want}`, name);
    if (end > data.byteLength) {
      throw new TruncatedFileError(`${file}: tensor "${name}": data ends at byte ${end} but the file has ${data.byteLength} data bytes (truncated?)`, {
        file, tensor: name, end, dataBytes: data.byteLength,
      });
    }
    spans.push({ name, begin, end });
    entries.push({ name, dtype: d, shape: shape as number[], bytes: data.subarray(begin, end) });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const s of spans) {
    if (s.begin !== at) fail(s.begin < at ? `data overlaps the previous tensor (starts at ${s.begin}, before ${at})` : `gap in the data before byte ${s.begin}`, s.name);
    at = s.end;
  }
  if (at !== data.byteLength) fail(`tensors cover ${at} data bytes but the file has ${data.byteLength} (trailing bytes)`);
  return { tensors: new Map(entries.map((t) => [t.name, t])), metadata };
}

/** The values of a raw tensor as a typed array (a copy, so it is aligned and owned). */
export function rawValues(t: RawTensor, file: string): Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array {
  const copy = Uint8Array.from(t.bytes);
  const w = DTYPE_BYTES[t.dtype];
  if (!LITTLE_ENDIAN && w > 1) for (let i = 0; i < copy.length; i += w) copy.subarray(i, i + w).reverse();
  switch (t.dtype) {
    case 'F32': return new Float32Array(copy.buffer);
    case 'F64': return new Float64Array(copy.buffer);
    case 'I32': return new Int32Array(copy.buffer);
    case 'U32': return new Uint32Array(copy.buffer);
    case 'U8':
    case 'BOOL': return copy;
    default:
      throw new TensorDTypeError(`${file}: tensor "${t.name}": dtype ${t.dtype} is not supported by pretext (F32, F64, I32, U32, U8, BOOL)`, {
        file, tensor: t.name, dtype: t.dtype,
      });
  }
}
