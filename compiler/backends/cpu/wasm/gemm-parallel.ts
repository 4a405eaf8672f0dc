// Multi-threaded GEMM on a WorkerPool: splits the call (gemm-split.ts), writes each part's raw
// arguments into that thread's slots and runs the registered gemm export on every thread.
//
// Scratch: call.scratch points at `threads` consecutive per-thread buffers, each
// call.scratchBytes long (use gemmParallelScratchBytes to size the whole area).

import { compileGemmModule, gemmArgs, gemmScratchBytes, validateGemmCall, type GemmCall, type GemmOptions } from './gemm.ts';
import { resolveGemmConfig } from './gemm.ts';
import { gemmPartCount, splitGemm } from './gemm-split.ts';
import { MAX_PARTS } from './pool-protocol.mjs';
import { GemmArgumentError } from './errors.ts';
import type { WorkerPool } from './pool.ts';
import type { GemmConfig } from './gemm-config.ts';

/** Below this many flops per thread a part is not worth a thread (dispatch costs a few µs). */
const MIN_FLOPS_PER_THREAD = 4e5;

export interface ParallelGemmOptions extends GemmOptions {
  /** Work (flops) a thread must get before another thread is used (default 4e5; 0 = always split). */
  readonly minFlopsPerThread?: number;
}

/** Per-thread scratch bytes rounded to 64 so each thread's buffer stays aligned. */
export function gemmThreadScratchBytes(call: Pick<GemmCall, 'm' | 'n' | 'k' | 'transA' | 'transB'>, config?: GemmConfig): number {
  return Math.ceil(gemmScratchBytes(call, config) / 64) * 64;
}

/** Scratch for `threads` threads: threads × gemmThreadScratchBytes. */
export function gemmParallelScratchBytes(call: Pick<GemmCall, 'm' | 'n' | 'k' | 'transA' | 'transB'>, threads: number, config?: GemmConfig): number {
  return threads * gemmThreadScratchBytes(call, config);
}

export class ParallelGemm {
  readonly kernel: number;
  readonly config: GemmConfig;
  private readonly minFlops: number;

  constructor(readonly pool: WorkerPool, opts: ParallelGemmOptions = {}) {
    this.config = resolveGemmConfig(opts);
    this.minFlops = opts.minFlopsPerThread ?? MIN_FLOPS_PER_THREAD;
    // Slot 16 (scratch) gets thread · slot 18 added: each thread uses its own scratch whichever
    // parts it claims.
    this.kernel = pool.registerWasm(compileGemmModule({ config: this.config, shared: true }), 'gemm', 18, { slot: 16, strideSlot: 18 });
  }

  /**
   * Runs `call` on up to `maxThreads` threads. The caller provides scratch for that many threads:
   * call.scratch is the first of min(maxThreads, pool.threads) buffers, each call.scratchBytes
   * long and placed ceil(scratchBytes / 64)·64 bytes apart (gemmParallelScratchBytes sizes it).
   */
  gemm(call: GemmCall, maxThreads: number = this.pool.threads): void {
    validateGemmCall(call, this.pool.memory.buffer.byteLength, this.config);
    const flops = 2 * call.m * call.n * call.k * call.batch * ((call.rowEnd - call.rowStart) / Math.max(1, call.m));
    const threads = Math.max(1, Math.min(maxThreads, this.pool.threads, this.minFlops > 0 ? Math.floor(flops / this.minFlops) : Infinity));
    const parts = splitGemm(call, gemmPartCount(call, threads, MAX_PARTS));
    const stride = Math.ceil(call.scratchBytes / 64) * 64;
    const scratchEnd = call.scratch + stride * (threads - 1) + call.scratchBytes;
    if (scratchEnd > this.pool.memory.buffer.byteLength) {
      throw new GemmArgumentError('scratch', call.scratch, `: ${threads} threads' scratch ends at byte ${scratchEnd}, beyond the memory`);
    }
    parts.forEach((part, i) => {
      const slots = this.pool.part(i);
      gemmArgs(part, slots);
      slots[18] = stride;
    });
    this.pool.runParts(this.kernel, parts.length, Math.min(threads, parts.length));
  }
}
