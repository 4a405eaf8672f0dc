// Test harness: lays out a GEMM problem in a memory with guard bytes around every region, and
// checks the result against a float64 reference (plus that nothing outside C's elements and the
// scratch area changed).
import type { GemmCall } from '../../../../../compiler/backends/cpu/wasm/gemm.ts';
import { gemmScratchBytes } from '../../../../../compiler/backends/cpu/wasm/gemm.ts';

export interface Problem {
  m: number; n: number; k: number;
  transA: boolean; transB: boolean;
  batch: number;
  padA: number; padB: number; padC: number; // extra elements per row beyond the stored width
  gapA: number; gapB: number; gapC: number; // extra elements between batch entries
  broadcastB: boolean; // strideB = 0
  accumulate: boolean;
  rowStart: number; rowEnd: number;
  misalign: number; // 0..3: operands at 4-byte (not 16-byte) aligned offsets
  seed: number;
}

const GUARD = 64; // bytes of guard before and after each region
const GUARD_VALUE = 0x7fc0dead; // a NaN bit pattern nobody computes

/** Mulberry32: small deterministic PRNG for the operand values. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Layout {
  call: GemmCall;
  regions: Array<{ start: number; bytes: number }>; // A, B, C, scratch (without guards)
  end: number;
}

/** Places A, B, C and scratch one after another from `base`, with guards. */
export function layout(p: Problem, base: number, scratchBytes?: number): Layout {
  const lda = (p.transA ? p.m : p.k) + p.padA;
  const ldb = (p.transB ? p.k : p.n) + p.padB;
  const ldc = p.n + p.padC;
  const aRows = p.transA ? p.k : p.m;
  const bRows = p.transB ? p.n : p.k;
  const strideA = aRows * lda + p.gapA;
  const strideB = p.broadcastB ? 0 : bRows * ldb + p.gapB;
  const strideC = p.m * ldc + p.gapC;
  const regions: Array<{ start: number; bytes: number }> = [];
  let at = base;
  const place = (elements: number, align: number, mis: number): number => {
    at += GUARD;
    at = Math.ceil(at / align) * align + mis;
    const start = at;
    regions.push({ start, bytes: elements * 4 });
    at += elements * 4 + GUARD;
    return start;
  };
  const mis = 4 * p.misalign;
  const a = place(strideA * (p.batch - 1) + aRows * lda, 64, mis);
  const b = place(strideB * (p.batch - 1) + bRows * ldb, 64, mis);
  const c = place(strideC * (p.batch - 1) + p.m * ldc, 64, mis);
  const need = scratchBytes ?? gemmScratchBytes(p);
  const scratch = place(need / 4, 64, 0);
  return {
    call: {
      m: p.m, n: p.n, k: p.k, a, b, c, lda, ldb, ldc, transA: p.transA, transB: p.transB,
      batch: p.batch, strideA, strideB, strideC, accumulate: p.accumulate,
      rowStart: p.rowStart, rowEnd: p.rowEnd, scratch, scratchBytes: need,
    },
    regions,
    end: at,
  };
}

/** Fills memory from `base` to `end` with guard words, then A, B, C with random values. */
export function fill(mem: WebAssembly.Memory, p: Problem, l: Layout, base: number): void {
  const i32 = new Int32Array(mem.buffer);
  const f32 = new Float32Array(mem.buffer);
  i32.fill(GUARD_VALUE, base / 4, Math.ceil(l.end / 4));
  const r = rng(p.seed);
  for (const reg of l.regions.slice(0, 3)) {
    for (let i = reg.start / 4; i < (reg.start + reg.bytes) / 4; i++) f32[i] = r() * 2 - 1;
  }
}

export interface Check { ok: boolean; message: string }

/**
 * Compares memory after the call with the float64 reference computed from `before` (a copy of the
 * memory bytes taken before the call): computed C elements within tolerance, every other byte in
 * [base, end) outside the scratch area unchanged.
 */
export function check(mem: WebAssembly.Memory, p: Problem, l: Layout, base: number, before: Float32Array): Check {
  const f32 = new Float32Array(mem.buffer);
  const { call } = l;
  const changed = new Uint8Array(Math.ceil((l.end - base) / 4)); // 1 = element may change
  const scratch = l.regions[3]!;
  for (let i = scratch.start / 4; i < (scratch.start + scratch.bytes) / 4; i++) changed[i - base / 4] = 1;
  const A = (bi: number, i: number, q: number): number =>
    before[call.a / 4 + bi * call.strideA + (call.transA ? q * call.lda + i : i * call.lda + q)]!;
  const B = (bi: number, q: number, j: number): number =>
    before[call.b / 4 + bi * call.strideB + (call.transB ? j * call.ldb + q : q * call.ldb + j)]!;
  for (let bi = 0; bi < p.batch; bi++) {
    for (let i = p.rowStart; i < p.rowEnd; i++) {
      for (let j = 0; j < p.n; j++) {
        const idx = call.c / 4 + bi * call.strideC + i * call.ldc + j;
        changed[idx - base / 4] = 1;
        let s = p.accumulate ? before[idx]! : 0;
        let scale = Math.abs(s);
        for (let q = 0; q < p.k; q++) {
          const t = A(bi, i, q) * B(bi, q, j);
          s += t;
          scale += Math.abs(t);
        }
        const got = f32[idx]!;
        const tol = 1e-5 * Math.sqrt(Math.max(1, p.k)) * Math.max(scale, 1e-3);
        if (!(Math.abs(got - s) <= tol)) {
          return { ok: false, message: `C[batch ${bi}][${i}][${j}] = ${got}, expected ${s} (tolerance ${tol})` };
        }
      }
    }
  }
  // Everything else must be bit-identical (guards are NaN patterns, so compare bits).
  const now = new Int32Array(mem.buffer);
  const was = new Int32Array(before.buffer, before.byteOffset, before.length);
  for (let w = 0; w < changed.length; w++) {
    if (!changed[w] && now[base / 4 + w] !== was[base / 4 + w]) {
      return { ok: false, message: `guard word at byte ${base + 4 * w} changed` };
    }
  }
  return { ok: true, message: 'ok' };
}

export function snapshot(mem: WebAssembly.Memory): Float32Array {
  return new Float32Array(new Float32Array(mem.buffer));
}
