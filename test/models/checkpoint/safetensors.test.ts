import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_HEADER_BYTES, SafetensorsFormatError, TensorDTypeError, TruncatedFileError, decodeSafetensors, encodeSafetensors, rawValues,
  readSafetensors, writeSafetensors, type TensorToWrite,
} from '../../../models/checkpoint/index.ts';
import { makeTmpDir } from '../../corpora/tmpDir.ts';
import { readMinimal } from './minimalReader.ts';

const concat = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

const tensorArb = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9._]{0,12}$/),
    dtype: fc.constantFrom('F32', 'I32', 'U32', 'U8', 'BOOL' as const),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    seed: fc.integer(),
  })
  .map(({ name, dtype, shape, seed }): TensorToWrite => {
    const n = shape.reduce((a, b) => a * b, 1);
    const vals = Array.from({ length: n }, (_, i) => ((seed ^ (i * 2654435761)) >>> 0) / 2 ** 32);
    const data =
      dtype === 'F32' ? Float32Array.from(vals, (v) => (v - 0.5) * 1e3)
      : dtype === 'I32' ? Int32Array.from(vals, (v) => Math.floor((v - 0.5) * 2 ** 31))
      : dtype === 'U32' ? Uint32Array.from(vals, (v) => Math.floor(v * 2 ** 32))
      : dtype === 'U8' ? Uint8Array.from(vals, (v) => Math.floor(v * 256))
      : Uint8Array.from(vals, (v) => (v < 0.5 ? 1 : 0));
    return { name, dtype, shape, data };
  });

const uniqueTensors = fc.uniqueArray(tensorArb, { selector: (t) => t.name, maxLength: 6 });

describe('safetensors encode/decode', () => {
  it('round-trips any tensors and metadata', () => {
    fc.assert(
      fc.property(uniqueTensors, fc.dictionary(fc.string({ maxLength: 5 }).filter((k) => k !== '__proto__'), fc.string({ maxLength: 8 }), { maxKeys: 3 }), (tensors, meta) => {
        const decoded = decodeSafetensors(concat(encodeSafetensors(tensors, meta)), 'mem');
        expect(decoded.metadata).toEqual(meta);
        expect([...decoded.tensors.keys()].sort()).toEqual(tensors.map((t) => t.name).sort());
        for (const t of tensors) {
          const raw = decoded.tensors.get(t.name)!;
          expect(raw.dtype).toBe(t.dtype);
          expect(raw.shape).toEqual(t.shape);
          expect(Array.from(rawValues(raw, 'mem'))).toEqual(Array.from(t.data));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('lays the file out as the format says (checked by an independent reader)', () => {
    const dir = makeTmpDir('pretext-st-');
    const file = join(dir, 'a.safetensors');
    const tensors: TensorToWrite[] = [
      { name: 'mask', dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) },
      { name: 'w', dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) },
      { name: 'ids', dtype: 'I32', shape: [2], data: Int32Array.from([-7, 9]) },
      { name: 'scalar', dtype: 'F32', shape: [], data: Float32Array.from([0.25]) },
    ];
    writeSafetensors(file, tensors, { note: 'hi' });
    const m = readMinimal(file);
    expect(m.headerLength % 8).toBe(0);
    expect(m.headerText.trimEnd().endsWith('}')).toBe(true);
    expect(m.metadata).toEqual({ note: 'hi' });
    // 4-byte tensors first (by name), then 1-byte ones: every tensor aligned to its element size
    const order = Object.entries(m.entries).sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]).map(([k]) => k);
    expect(order).toEqual(['ids', 'scalar', 'w', 'mask']);
    let at = 0;
    for (const name of order) {
      const e = m.entries[name]!;
      expect(e.data_offsets[0]).toBe(at);
      at = e.data_offsets[1];
    }
    expect(m.dataStart + at).toBe(m.fileLength);
    expect(m.entries.w).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [12, 36] });
    expect(m.values('w')).toEqual([1, 2, 3, 4, 5, 6.5]);
    expect(m.values('ids')).toEqual([-7, 9]);
    expect(m.values('mask')).toEqual([1, 0, 1]);
    expect(m.values('scalar')).toEqual([0.25]);
  });

  it('reads a file written by hand with an unpadded header and foreign dtypes in the header', () => {
    const header = JSON.stringify({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F16', shape: [1], data_offsets: [8, 10] } });
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const data = Buffer.alloc(10);
    data.writeFloatLE(1.5, 0);
    data.writeFloatLE(-2, 4);
    const c = decodeSafetensors(Buffer.concat([len, Buffer.from(header), data]), 'hand');
    expect(Array.from(rawValues(c.tensors.get('x')!, 'hand'))).toEqual([1.5, -2]);
    expect(() => rawValues(c.tensors.get('y')!, 'hand')).toThrow(TensorDTypeError);
  });
});

/** A valid file's bytes and its header, to corrupt. */
function sample() {
  const bytes = concat(encodeSafetensors([
    { name: 'a', dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
    { name: 'b', dtype: 'I32', shape: [3], data: Int32Array.from([1, 2, 3]) },
  ]));
  const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString()) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
  return { bytes, n, header, data: bytes.subarray(8 + n) };
}

function withHeader(header: unknown, data: Uint8Array): Uint8Array {
  const text = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([len, text, data]);
}

function expectError(f: () => unknown, cls: new (...a: never[]) => Error, file: string, tensor?: string) {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  const e = err as Error & { context: Record<string, unknown> };
  expect(e.message).toContain(file);
  expect(e.context.file).toBe(file);
  if (tensor !== undefined) {
    expect(e.message).toContain(`"${tensor}"`);
    expect(e.context.tensor).toBe(tensor);
  }
}

describe('safetensors validation', () => {
  it('rejects truncated files, naming the file (and the tensor whose data is cut)', () => {
    const { bytes, n } = sample();
    expectError(() => decodeSafetensors(bytes.subarray(0, 5), 'f.st'), TruncatedFileError, 'f.st');
    expectError(() => decodeSafetensors(bytes.subarray(0, 8 + n - 3), 'f.st'), TruncatedFileError, 'f.st');
    // both are 4-byte dtypes, laid out by name: a [0, 16), then b [16, 28), which the cut reaches
    expectError(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'f.st'), TruncatedFileError, 'f.st', 'b');
  });

  it('rejects a corrupt header length, non-JSON and non-object headers', () => {
    const { bytes, n } = sample();
    const huge = Uint8Array.from(bytes);
    Buffer.from(huge.buffer).writeBigUInt64LE(BigInt(MAX_HEADER_BYTES) + 1n, 0);
    expectError(() => decodeSafetensors(huge, 'f.st'), SafetensorsFormatError, 'f.st');
    const garbled = Uint8Array.from(bytes);
    garbled[8 + Math.floor(n / 2)] = 0xff;
    expectError(() => decodeSafetensors(garbled, 'f.st'), SafetensorsFormatError, 'f.st');
    expectError(() => decodeSafetensors(withHeader([1, 2], new Uint8Array()), 'f.st'), SafetensorsFormatError, 'f.st');
  });

  it('rejects bad entries, naming the tensor', () => {
    const { header, data } = sample();
    const bad = (patch: (h: typeof header) => void) => {
      const h = structuredClone(header);
      patch(h);
      return withHeader(h, data);
    };
    expectError(() => decodeSafetensors(bad((h) => (h.a!.dtype = 'F33')), 'g.st'), SafetensorsFormatError, 'g.st', 'a');
    expectError(() => decodeSafetensors(bad((h) => (h.b!.shape = [-1])), 'g.st'), SafetensorsFormatError, 'g.st', 'b');
    expectError(() => decodeSafetensors(bad((h) => (h.a!.shape = [2, 3])), 'g.st'), SafetensorsFormatError, 'g.st', 'a');
    expectError(() => decodeSafetensors(bad((h) => (h.a!.data_offsets = [28, 12])), 'g.st'), SafetensorsFormatError, 'g.st', 'a');
    // overlap: b starts inside a
    expectError(() => decodeSafetensors(bad((h) => {
      h.b!.data_offsets = [12, 24];
    }), 'g.st'), SafetensorsFormatError, 'g.st', 'b');
    // trailing bytes no tensor covers
    expectError(() => decodeSafetensors(withHeader(header, Buffer.concat([data, Buffer.alloc(4)])), 'g.st'), SafetensorsFormatError, 'g.st');
    expectError(() => decodeSafetensors(bad((h) => ((h as Record<string, unknown>).__metadata__ = { k: 1 })), 'g.st'), SafetensorsFormatError, 'g.st');
  });

  it('reports the path of a file read from disk', () => {
    const dir = makeTmpDir('pretext-st-');
    const file = join(dir, 'broken.safetensors');
    writeFileSync(file, sample().bytes.subarray(0, 20));
    expectError(() => readSafetensors(file), TruncatedFileError, file);
  });
});
