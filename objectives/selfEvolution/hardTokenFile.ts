import { readFileSync } from 'node:fs';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import { HardTokenFileError } from './errors.ts';
import type { HardTokenMap } from './hardTokenMap.ts';

export const HARD_TOKEN_FORMAT = 'pretext.se.hardTokens';
export const HARD_TOKEN_VERSION = 1;

/**
 * The stored map, CSR-style so a large corpus stays one compact JSON document: block
 * blockIds[i] has the hard positions positions[offsets[i] .. offsets[i + 1]].
 */
const HardTokenFileCodec = t.type({
  format: t.literal(HARD_TOKEN_FORMAT),
  version: t.number,
  threshold: t.number,
  blockIds: t.array(t.number),
  offsets: t.array(t.number),
  positions: t.array(t.number),
});

/** What a hard-token file holds besides the map. */
export interface HardTokenFileInfo {
  /** Threshold (nats) stage 1 used. */
  readonly threshold: number;
}

/** Writes the map atomically (temp file + rename: readers never see half a file). Blocks in ascending id order. */
export function saveHardTokens(path: string, hard: HardTokenMap, info: HardTokenFileInfo): void {
  const ids = [...hard.keys()].sort((a, b) => a - b);
  const offsets = [0];
  const positions: number[] = [];
  for (const id of ids) {
    positions.push(...hard.get(id)!);
    offsets.push(positions.length);
  }
  const doc = { format: HARD_TOKEN_FORMAT, version: HARD_TOKEN_VERSION, threshold: info.threshold, blockIds: ids, offsets, positions };
  writeFileAtomic(path, JSON.stringify(doc));
}

/** Reads a map written by saveHardTokens; a malformed file is a HardTokenFileError naming the file and field. */
export function loadHardTokens(path: string): { hard: Map<number, Int32Array> } & HardTokenFileInfo {
  const fail = (field: string, message: string): never => {
    throw new HardTokenFileError(`${path}: ${field}: ${message}`, { file: path, field });
  };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return fail('(file)', `cannot read as JSON (${(e as Error).message})`);
  }
  const decoded = HardTokenFileCodec.decode(json);
  if (isLeft(decoded)) {
    const e = decoded.left[0]!;
    const field = e.context.map((c) => c.key).filter((k) => k !== '').join('.') || '(root)';
    return fail(field, `got ${JSON.stringify(e.value)?.slice(0, 80)}, expected ${e.context[e.context.length - 1]?.type.name}`);
  }
  const doc = decoded.right;
  if (doc.version !== HARD_TOKEN_VERSION) fail('version', `unsupported version ${doc.version} (this pretext reads ${HARD_TOKEN_VERSION})`);
  if (doc.offsets.length !== doc.blockIds.length + 1) fail('offsets', `${doc.offsets.length} offsets for ${doc.blockIds.length} blocks (need blocks + 1)`);
  if (doc.offsets[0] !== 0 || doc.offsets[doc.offsets.length - 1] !== doc.positions.length) fail('offsets', `must run from 0 to ${doc.positions.length} (the number of positions)`);
  const hard = new Map<number, Int32Array>();
  doc.blockIds.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0) fail(`blockIds[${i}]`, `block id ${id} is not a non-negative integer`);
    if (hard.has(id)) fail(`blockIds[${i}]`, `duplicate block id ${id}`);
    const lo = doc.offsets[i]!;
    const hi = doc.offsets[i + 1]!;
    if (!(Number.isInteger(hi) && hi >= lo)) fail(`offsets[${i + 1}]`, `offsets must be non-decreasing integers, got ${lo} then ${hi}`);
    const raw = doc.positions.slice(lo, hi);
    raw.forEach((pos, j) => {
      if (!Number.isInteger(pos) || pos < 0 || (j > 0 && pos <= raw[j - 1]!)) fail(`positions[${lo + j}]`, `block ${id}: positions must be increasing non-negative integers, got ${pos}`);
    });
    hard.set(id, Int32Array.from(raw));
  });
  return { hard, threshold: doc.threshold };
}
