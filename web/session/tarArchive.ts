import { PretextError } from '../../util/errors.ts';

export class TarEntryError extends PretextError {}

const BLOCK = 512;

/**
 * A ustar archive of files in one folder (what the page downloads: one file, so the browser does
 * not hold back a second download; `tar -xf` gives the checkpoint folder).
 */
export function tarArchive(folder: string, files: readonly (readonly [string, Uint8Array])[], mtimeSeconds = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const [name, data] of files) {
    const path = `${folder}/${name}`;
    if (enc.encode(path).length > 100 || /[^\x20-\x7e]/.test(path)) throw new TarEntryError(`tar entry "${path}": names are printable ASCII, at most 100 bytes`, { file: path });
    const header = new Uint8Array(BLOCK);
    const put = (offset: number, text: string) => header.set(enc.encode(text), offset);
    const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, '0')}\0`;
    put(0, path);
    put(100, octal(0o644, 8));
    put(108, octal(0, 8));
    put(116, octal(0, 8));
    put(124, octal(data.length, 12));
    put(136, octal(mtimeSeconds, 12));
    put(148, '        '); // the checksum counts its own field as spaces
    put(156, '0');
    put(257, 'ustar\x0000');
    const sum = header.reduce((s, b) => s + b, 0);
    put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
    parts.push(header, data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
