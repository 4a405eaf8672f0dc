/**
 * SE stage-1 output: block id -> sorted hard positions H(d) (positions within the block's row,
 * `<s>` at 0). Blocks with no hard token may be absent or map to an empty array; stage 2 treats
 * both as "no usable hard set" (random masking).
 */
export type HardTokenMap = ReadonlyMap<number, Int32Array>;

/** Positions t of one row with NLL_t > threshold among real tokens (pads are never hard), ascending. */
export function hardPositionsOfRow(nll: ArrayLike<number>, attentionMask: ArrayLike<number>, offset: number, seqLen: number, threshold: number): Int32Array {
  const out: number[] = [];
  for (let t = 0; t < seqLen; t++) if (attentionMask[offset + t] && nll[offset + t]! > threshold) out.push(t);
  return Int32Array.from(out);
}

/** The union of maps, later maps winning on a shared block id (the README's dict-union merge). */
export function mergeHardTokenMaps(maps: readonly HardTokenMap[]): Map<number, Int32Array> {
  const out = new Map<number, Int32Array>();
  for (const m of maps) for (const [id, h] of m) out.set(id, h);
  return out;
}
