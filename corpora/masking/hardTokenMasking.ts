import { splitKey, uniform, type Key } from '../../prng/index.ts';
import { exactMaskCount } from './counts.ts';
import { MaskingError } from './errors.ts';
import { candidatePositions, exactCountRow, markRandomSubset, resolveExactCount, type ExactCountOptions } from './exactCount.ts';
import { gridRows, rowId, rowKey } from './grid.ts';
import { replaceSelected } from './replacement.ts';
import { IGNORE_INDEX, type MaskedTokens, type TokenGrid } from './types.ts';

export interface HardTokenOptions extends ExactCountOptions {
  /**
   * Stage-1 hard positions H(d) by block id (the grid's blockIds, else the row index). A block
   * that is missing or has an empty set falls back to exactCount masking.
   */
  readonly hardPositions: ReadonlyMap<number, ArrayLike<number>>;
  /**
   * Reproduce SE's single-hard-token path (spec 1c): with |H| = 1 the position stays marked, the
   * fallback then draws num = floor(p·n + U) more among the other candidates and all marked
   * positions go through 80/10/10. Default false: |H| = 1 is a normal hard set.
   */
  readonly seSingleHardTokenCompat?: boolean;
}

/**
 * SE stage-2 masking: every stored hard position becomes [MASK] (no 80/10/10, no budget) and is
 * the prediction set; rows without a usable hard set get exactCount masking (same options, same
 * per-row key as exactCount would use). A hard position outside the row's real tokens is a
 * MaskingError naming the block and the position.
 */
export function hardTokenMasking(key: Key, grid: TokenGrid, options: HardTokenOptions): MaskedTokens {
  const where = 'hardTokenMasking';
  const rows = gridRows(grid, where);
  const T = grid.seqLen;
  const cfg = resolveExactCount(options, where);
  const x = grid.inputIds;
  const out: MaskedTokens = {
    rows,
    seqLen: T,
    inputIds: Int32Array.from(x),
    labels: new Int32Array(x.length).fill(IGNORE_INDEX),
    selected: new Uint8Array(x.length),
  };
  for (let r = 0; r < rows; r++) {
    const off = r * T;
    const id = rowId(grid, r);
    const k = rowKey(key, grid, r, where);
    const hard = options.hardPositions.get(id);
    const count = hard?.length ?? 0;
    for (let i = 0; i < count; i++) {
      const t = hard![i]!;
      if (!Number.isInteger(t) || t < 0 || t >= T || x[off + t] === options.padId) {
        throw new MaskingError(`${where}: hard position ${t} of block ${id} (row ${r}) is not a real token of the row (seqLen ${T})`, {
          option: 'hardPositions',
          blockId: id,
          row: r,
          position: t,
        });
      }
    }
    if (count === 0) {
      exactCountRow(k, x, r, T, cfg, out);
    } else if (count === 1 && options.seSingleHardTokenCompat) {
      singleHardTokenRow(k, x, r, T, hard![0]!, options.padId, cfg, out);
    } else {
      for (let i = 0; i < count; i++) {
        const t = hard![i]!;
        out.selected[off + t] = 1;
        out.labels[off + t] = x[off + t]!;
        out.inputIds[off + t] = cfg.maskId;
      }
    }
  }
  return out;
}

/**
 * SE's code with a 0-d hard array: the position is pre-marked, then num = floor(p·sz + U) more
 * are drawn among the *other* real positions (sz counts all real tokens); if there are fewer than
 * num of them the draw fails and only the hard position is masked, always with [MASK]; otherwise
 * every marked position goes through 80/10/10.
 */
function singleHardTokenRow(
  k: Key,
  x: Int32Array,
  r: number,
  T: number,
  hard: number,
  padId: number,
  cfg: ReturnType<typeof resolveExactCount>,
  out: MaskedTokens,
): void {
  const off = r * T;
  const [kCount, kPick, kReplace] = splitKey(k, 3);
  let sz = 0;
  for (let t = 0; t < T; t++) if (x[off + t] !== padId) sz++;
  const others = candidatePositions(x, off, T, cfg.exclude, hard);
  const num = exactMaskCount(cfg.p, sz, uniform(kCount!, 1)[0]!);
  out.selected[off + hard] = 1;
  if (num > others.length) {
    out.labels[off + hard] = x[off + hard]!;
    out.inputIds[off + hard] = cfg.maskId;
    return;
  }
  markRandomSubset(kPick!, others, num, out.selected, off);
  for (let t = 0; t < T; t++) if (out.selected[off + t]) out.labels[off + t] = x[off + t]!;
  replaceSelected(kReplace!, out.inputIds, off, out.selected, T, cfg.policy, cfg.pool, cfg.maskId);
}
