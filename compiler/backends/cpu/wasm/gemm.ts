// Public API of the WebAssembly SIMD GEMM: C (+)= op(A)·op(B), batched, on byte offsets into the
// arena memory. The whole loop nest runs inside one wasm export, so a call is one boundary
// crossing; worker threads use the same compiled module (see pool.ts / gemm-kernel.mjs).
//
// Alignment: a, b, c must be 4-byte aligned (f32); scratch must be 16-byte aligned (64 is best).
// Operands may live anywhere in the memory; C must not overlap A, B or the scratch area (not
// checked). Rows [rowStart, rowEnd) of every C in the batch are computed; other rows untouched.

import { defaultGemmConfig, scratchLayout, type GemmConfig } from './gemm-config.ts';
import { buildGemmModule, FLAG_ACCUMULATE, FLAG_TRANS_A, FLAG_TRANS_B } from './gemm-module.ts';
import { GemmArgumentError } from './errors.ts';
import { relaxedSimdAvailable } from './relaxed-simd.ts';
import { isSharedMemory } from './sharedMemory.ts';

export interface GemmCall {
  m: number; n: number; k: number;
  /** Byte offsets into the arena (4-byte aligned). */
  a: number; b: number; c: number;
  /** Row strides in elements. */
  lda: number; ldb: number; ldc: number;
  /** op(A) is m×k: A[i*lda + p], or (transA) A[p*lda + i]; op(B) is k×n likewise. */
  transA: boolean; transB: boolean;
  /** Number of independent products (≥ 1). */
  batch: number;
  /** Batch strides in elements (0 broadcasts an operand over the batch). */
  strideA: number; strideB: number; strideC: number;
  /** C += op(A)op(B) instead of C = op(A)op(B). */
  accumulate: boolean;
  /** Rows [rowStart, rowEnd) of every C in the batch. */
  rowStart: number; rowEnd: number;
  /** Per-thread packing buffer in the arena (16-byte aligned), at least gemmScratchBytes bytes. */
  scratch: number; scratchBytes: number;
}

export interface GemmOptions {
  /** Use relaxed-SIMD FMA when available (default true); false forces mul + add. */
  readonly fma?: boolean;
  /** Override blocking (benchmarks); the fma field wins over `fma` above. */
  readonly config?: GemmConfig;
}

export interface GemmKernel {
  /** Validates the call and runs it on the calling thread. */
  gemm(call: GemmCall): void;
  /** The compiled module (post it to workers; WebAssembly.Module is cloneable). */
  readonly module: WebAssembly.Module;
  /** The raw export: see gemm-module.ts for the argument order; returns a status (0 = ok). */
  readonly raw: (...args: number[]) => number;
  /** The module's own scratch formula (export scratch_bytes), for cross-checking. */
  readonly rawScratchBytes: (m: number, n: number, k: number) => number;
  readonly config: GemmConfig;
}

/** The configuration instantiateGemm / gemmModuleBytes use for these options. */
export function resolveGemmConfig(opts: GemmOptions = {}): GemmConfig {
  if (opts.config) return opts.config.fma && !relaxedSimdAvailable() ? { ...opts.config, fma: false } : opts.config;
  return defaultGemmConfig(opts.fma !== false && relaxedSimdAvailable());
}

/**
 * Scratch bytes one thread needs for a call of this shape. Independent of options: the maximum
 * over the default configurations, so a buffer sized once fits whichever kernel is used.
 */
export function gemmScratchBytes(call: Pick<GemmCall, 'm' | 'n' | 'k' | 'transA' | 'transB'>, config?: GemmConfig): number {
  const configs = config ? [config] : [defaultGemmConfig(true), defaultGemmConfig(false)];
  return Math.max(...configs.map((c) => scratchLayout(c, call.m, call.n, call.k).total));
}

const bytesCache = new Map<string, Uint8Array<ArrayBuffer>>();
const moduleCache = new Map<string, WebAssembly.Module>();
const cacheKey = (cfg: GemmConfig, shared: boolean): string => JSON.stringify({ ...cfg, shared });

/** The module's bytes (for a shared or a plain memory). */
export function gemmModuleBytes(opts: GemmOptions & { shared?: boolean } = {}): Uint8Array<ArrayBuffer> {
  const cfg = resolveGemmConfig(opts);
  const shared = opts.shared ?? true;
  const key = cacheKey(cfg, shared);
  let bytes = bytesCache.get(key);
  if (!bytes) {
    bytes = buildGemmModule({ ...cfg, shared });
    bytesCache.set(key, bytes);
  }
  return bytes;
}

/** The compiled module, cached per configuration. */
export function compileGemmModule(opts: GemmOptions & { shared?: boolean } = {}): WebAssembly.Module {
  const cfg = resolveGemmConfig(opts);
  const shared = opts.shared ?? true;
  const key = cacheKey(cfg, shared);
  let mod = moduleCache.get(key);
  if (!mod) {
    mod = new WebAssembly.Module(gemmModuleBytes({ config: cfg, shared }));
    moduleCache.set(key, mod);
  }
  return mod;
}

/** Instantiates the GEMM on `memory` (shared or not). */
export function instantiateGemm(memory: WebAssembly.Memory, opts: GemmOptions = {}): GemmKernel {
  const shared = isSharedMemory(memory);
  const config = resolveGemmConfig(opts);
  const module = compileGemmModule({ config, shared });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const raw = instance.exports['gemm'] as (...args: number[]) => number;
  return {
    module,
    raw,
    rawScratchBytes: instance.exports['scratch_bytes'] as (m: number, n: number, k: number) => number,
    config,
    gemm(call: GemmCall): void {
      validateGemmCall(call, memory.buffer.byteLength, config);
      const c = call;
      const flags = (c.transA ? FLAG_TRANS_A : 0) | (c.transB ? FLAG_TRANS_B : 0) | (c.accumulate ? FLAG_ACCUMULATE : 0);
      const status = raw(c.m, c.n, c.k, c.a, c.b, c.c, c.lda, c.ldb, c.ldc, flags, c.batch,
        c.strideA, c.strideB, c.strideC, c.rowStart, c.rowEnd, c.scratch, Math.min(c.scratchBytes, 0x7fffffff));
      if (status !== 0) throw new GemmArgumentError('scratchBytes', call.scratchBytes, `is too small (kernel status ${status})`);
    },
  };
}

/** Writes the raw export's 18 arguments for `call` into `out` (numbers; a Float64Array works). */
export function gemmArgs(call: GemmCall, out: { [i: number]: number }): void {
  out[0] = call.m; out[1] = call.n; out[2] = call.k;
  out[3] = call.a; out[4] = call.b; out[5] = call.c;
  out[6] = call.lda; out[7] = call.ldb; out[8] = call.ldc;
  out[9] = (call.transA ? FLAG_TRANS_A : 0) | (call.transB ? FLAG_TRANS_B : 0) | (call.accumulate ? FLAG_ACCUMULATE : 0);
  out[10] = call.batch; out[11] = call.strideA; out[12] = call.strideB; out[13] = call.strideC;
  out[14] = call.rowStart; out[15] = call.rowEnd;
  out[16] = call.scratch; out[17] = Math.min(call.scratchBytes, 0x7fffffff); // the module compares it signed
}

const INT_FIELDS = ['m', 'n', 'k', 'a', 'b', 'c', 'lda', 'ldb', 'ldc', 'batch', 'strideA', 'strideB', 'strideC',
  'rowStart', 'rowEnd', 'scratch', 'scratchBytes'] as const;
const BOOL_FIELDS = ['transA', 'transB', 'accumulate'] as const;
const MAX_OFFSET = 2 ** 32;

/** Throws GemmArgumentError naming the first invalid argument. */
export function validateGemmCall(call: GemmCall, memoryBytes: number, config?: GemmConfig): void {
  for (const f of INT_FIELDS) {
    const v = call[f];
    if (!Number.isInteger(v) || v < 0 || v >= MAX_OFFSET) throw new GemmArgumentError(f, v, 'must be an integer in [0, 2^32)');
  }
  for (const f of BOOL_FIELDS) {
    if (typeof call[f] !== 'boolean') throw new GemmArgumentError(f, call[f], 'must be a boolean');
  }
  const { m, n, k, batch } = call;
  if (batch < 1) throw new GemmArgumentError('batch', batch, 'must be at least 1');
  if (call.rowEnd > m) throw new GemmArgumentError('rowEnd', call.rowEnd, `exceeds m = ${m}`);
  if (call.rowStart > call.rowEnd) throw new GemmArgumentError('rowStart', call.rowStart, `exceeds rowEnd = ${call.rowEnd}`);
  const aCols = call.transA ? m : k;
  const bCols = call.transB ? k : n;
  if (call.lda < aCols) throw new GemmArgumentError('lda', call.lda, `is less than the stored row width ${aCols}`);
  if (call.ldb < bCols) throw new GemmArgumentError('ldb', call.ldb, `is less than the stored row width ${bCols}`);
  if (call.ldc < n) throw new GemmArgumentError('ldc', call.ldc, `is less than n = ${n}`);
  for (const f of ['a', 'b', 'c'] as const) {
    if (call[f] % 4 !== 0) throw new GemmArgumentError(f, call[f], 'is not 4-byte aligned');
  }
  if (call.scratch % 16 !== 0) throw new GemmArgumentError('scratch', call.scratch, 'is not 16-byte aligned');
  if (m === 0 || n === 0 || call.rowStart === call.rowEnd) return;
  const need = gemmScratchBytes(call, config);
  if (call.scratchBytes < need) throw new GemmArgumentError('scratchBytes', call.scratchBytes, `is less than the ${need} bytes needed`);
  if (call.scratch + need > memoryBytes) throw new GemmArgumentError('scratch', call.scratch, `+ ${need} bytes exceeds the memory (${memoryBytes} bytes)`);
  // Highest byte each operand touches: last batch, last stored row, last stored column.
  const end = (base: number, stride: number, rows: number, cols: number, ld: number): number =>
    base + 4 * ((batch - 1) * stride + (rows - 1) * ld + cols);
  const check = (f: 'a' | 'b' | 'c', last: number): void => {
    if (last > memoryBytes) throw new GemmArgumentError(f, call[f], `: operand ends at byte ${last}, beyond the memory (${memoryBytes} bytes)`);
  };
  if (k > 0) {
    check('a', call.transA ? end(call.a, call.strideA, k, m, call.lda) : end(call.a, call.strideA, m, k, call.lda));
    check('b', call.transB ? end(call.b, call.strideB, n, k, call.ldb) : end(call.b, call.strideB, k, n, call.ldb));
  }
  check('c', end(call.c, call.strideC, m, n, call.ldc));
}
