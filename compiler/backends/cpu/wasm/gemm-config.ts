// Blocking parameters of the packed (Goto/BLIS) GEMM and the scratch layout they imply.
// Shared by the module generator (which bakes them in as constants) and by gemmScratchBytes.

export interface GemmConfig {
  /** Micro-tile rows (broadcast from packed A). */
  readonly mr: number;
  /** Micro-tile columns (f32x4 vectors from packed B); a multiple of 4. */
  readonly nr: number;
  /** k-block: one packed A panel (mr×kc) and B panel (kc×nr) stay in L1 while a tile is computed. */
  readonly kc: number;
  /** Rows per packed A block (mc×kc floats live in L2). */
  readonly mc: number;
  /** Columns per packed B block (kc×nc floats live in L2/L3). */
  readonly nc: number;
  /** k-loop unroll factor of the micro-kernels; 0 = per kernel shape (gemm-micro.ts autoUnroll). */
  readonly unroll: number;
  /** Use f32x4.relaxed_madd (needs the relaxed-simd wasm feature) instead of mul + add. */
  readonly fma: boolean;
}

/**
 * Measured on a 2.5 GHz Cascade Lake VM (bench/matmul.ts). With FMA, 3×12 keeps 9 accumulators
 * + 3 B vectors + 3 broadcasts = 15 xmm registers live, all V8 can allocate on x64 (see
 * gemm-micro.ts); mul + add needs one more temporary, so without FMA 2×16 (8 + 4 + 2 + 1).
 */
export function defaultGemmConfig(fma: boolean): GemmConfig {
  return fma
    ? { mr: 3, nr: 12, kc: 512, mc: 72, nc: 2040, unroll: 0, fma }
    : { mr: 2, nr: 16, kc: 512, mc: 72, nc: 2048, unroll: 0, fma };
}

const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

/** Byte offsets of the three scratch areas (all 64-byte aligned relative to scratch start). */
export interface ScratchLayout {
  readonly aPack: number;
  readonly bPack: number;
  readonly tile: number;
  readonly total: number;
}

export function scratchLayout(cfg: Omit<GemmConfig, 'fma'>, m: number, n: number, k: number): ScratchLayout {
  const kb = Math.max(1, Math.min(cfg.kc, k));
  // + 64: slack for the packing's overlapping vector stores (gemm-pack.ts).
  const aBytes = roundUp(roundUp(Math.max(1, Math.min(cfg.mc, m)), cfg.mr) * kb * 4, 64) + 64;
  const bBytes = roundUp(roundUp(Math.max(1, Math.min(cfg.nc, n)), cfg.nr) * kb * 4, 64) + 64;
  const tBytes = roundUp(cfg.mr * cfg.nr * 4, 64);
  return { aPack: 0, bPack: aBytes, tile: aBytes + bBytes, total: aBytes + bBytes + tBytes };
}
