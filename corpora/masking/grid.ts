import { foldIn, type Key } from '../../prng/index.ts';
import { MaskingError } from './errors.ts';
import type { TokenGrid } from './types.ts';

/** Number of rows of a grid; throws MaskingError when the shape is inconsistent. */
export function gridRows(grid: TokenGrid, where: string): number {
  const { inputIds, seqLen, blockIds } = grid;
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new MaskingError(`${where}: seqLen must be a positive integer, got ${seqLen}`, { option: 'seqLen', seqLen });
  if (inputIds.length % seqLen !== 0) {
    throw new MaskingError(`${where}: inputIds has ${inputIds.length} ids, not a multiple of seqLen ${seqLen}`, { option: 'inputIds', length: inputIds.length, seqLen });
  }
  const rows = inputIds.length / seqLen;
  if (blockIds && blockIds.length !== rows) {
    throw new MaskingError(`${where}: blockIds has ${blockIds.length} entries for ${rows} rows`, { option: 'blockIds', length: blockIds.length, rows });
  }
  return rows;
}

/** The stable id of row r (its block id, else r) — what keys and per-block lookups use. */
export function rowId(grid: TokenGrid, r: number): number {
  return grid.blockIds ? grid.blockIds[r]! : r;
}

/** Row r's key: foldIn(key, rowId). Independent of which other rows share the batch. */
export function rowKey(key: Key, grid: TokenGrid, r: number, where: string): Key {
  const id = rowId(grid, r);
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw new MaskingError(`${where}: block id ${id} of row ${r} is not an integer in [0, 2^32)`, { option: 'blockIds', row: r, blockId: id });
  }
  return foldIn(key, id);
}

export function checkProbability(p: number, option: string, where: string): void {
  if (!(p >= 0 && p <= 1)) throw new MaskingError(`${where}: ${option} must be in [0, 1], got ${p}`, { option, value: p });
}

export function checkId(id: number, option: string, where: string): void {
  if (!Number.isInteger(id) || id < 0) throw new MaskingError(`${where}: ${option} must be a non-negative integer token id, got ${id}`, { option, value: id });
}

export const toIdSet = (ids: Iterable<number>): ReadonlySet<number> => (ids instanceof Set ? ids : new Set(ids));
