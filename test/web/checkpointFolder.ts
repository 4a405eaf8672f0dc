import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointFile } from '../../models/checkpoint/index.ts';

/** Writes in-memory checkpoint files into a folder, as a person does with the page's downloads. */
export function writeCheckpointFolder(folder: string, files: ReadonlyMap<string, CheckpointFile>): void {
  for (const [name, data] of files) writeFileSync(join(folder, name), typeof data === 'string' || data instanceof Uint8Array ? data : Buffer.concat(data));
}
