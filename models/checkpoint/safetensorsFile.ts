import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import { CheckpointNotFoundError } from './errors.ts';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContents, type TensorToWrite } from './safetensors.ts';
import { decodeTreeFile, encodeTreeFile, type LoadedTree, type TreeSection } from './treeFile.ts';

/** Reads a whole file; a missing file is a CheckpointNotFoundError naming it. */
export function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new CheckpointNotFoundError(`${file}: cannot read (${code})`, { file, code });
  }
}

/** Reads and validates a safetensors file. */
export function readSafetensors(file: string): SafetensorsContents {
  return decodeSafetensors(readBytes(file), file);
}

/** Writes a safetensors file atomically (temp file, fsync, rename). */
export function writeSafetensors(file: string, tensors: readonly TensorToWrite[], metadata: Readonly<Record<string, string>> = {}): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

/** Writes trees (see treeFile.ts) to a safetensors file atomically. */
export function writeTreeFile(file: string, sections: readonly TreeSection[], metadata: Readonly<Record<string, string>> = {}): void {
  writeFileAtomic(file, encodeTreeFile(sections, file, metadata));
}

/** Reads the trees of a safetensors file, by section key. */
export function readTreeFile(file: string): Map<string, LoadedTree> {
  return decodeTreeFile(readSafetensors(file), file);
}
