import { readFileSync } from 'node:fs';

/**
 * An independent, deliberately naive safetensors reader for tests: the 8-byte little-endian
 * header length, the JSON header, and F32/I32/U32/U8/BOOL values read with a DataView.
 */
export interface MinimalEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function readMinimal(file: string) {
  const buf = readFileSync(file);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const headerText = buf.subarray(8, 8 + n).toString('utf8');
  const header = JSON.parse(headerText) as Record<string, unknown>;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const entries = Object.fromEntries(Object.entries(header).filter(([k]) => k !== '__metadata__')) as Record<string, MinimalEntry>;
  const dataStart = 8 + n;
  const values = (name: string): number[] => {
    const e = entries[name];
    if (!e) throw new Error(`no tensor ${name}`);
    const [b, end] = e.data_offsets;
    const out: number[] = [];
    const size = e.dtype === 'U8' || e.dtype === 'BOOL' ? 1 : 4;
    for (let at = dataStart + b; at < dataStart + end; at += size) {
      if (e.dtype === 'F32') out.push(view.getFloat32(at, true));
      else if (e.dtype === 'I32') out.push(view.getInt32(at, true));
      else if (e.dtype === 'U32') out.push(view.getUint32(at, true));
      else out.push(view.getUint8(at));
    }
    return out;
  };
  return { headerLength: n, headerText, fileLength: buf.length, dataStart, metadata, entries, values };
}
