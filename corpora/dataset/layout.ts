import { readdirSync } from 'node:fs';
import { MANIFEST_FILE } from './manifest.ts';

/** Shard file name: `<split>-<index, 5 digits>.bin`. */
export const shardFileName = (split: string, index: number): string => `${split}-${String(index).padStart(5, '0')}.bin`;

const SHARD_PATTERN = /^[A-Za-z0-9_-]+-\d{5,}\.bin$/;
// writeFileAtomic's temp files: `.<name>.<pid>.<time>.tmp`.
const TEMP_PATTERN = /^\..*\.tmp$/;

/** Files in `dir` that a (possibly unfinished) dataset writer leaves: shards and temp files. */
export function writerLeftovers(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n !== MANIFEST_FILE && (SHARD_PATTERN.test(n) || TEMP_PATTERN.test(n))).sort();
}
