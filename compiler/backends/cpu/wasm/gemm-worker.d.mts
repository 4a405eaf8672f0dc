// Types for gemm-worker.mjs.
import type { GemmCall } from './gemm.ts';

export declare const FLAG_TRANS_A: number;
export declare const FLAG_TRANS_B: number;
export declare const FLAG_ACCUMULATE: number;
export declare const GEMM_RAW_ARGS: readonly string[];
export declare function instantiateGemmWorker(module: WebAssembly.Module, memory: WebAssembly.Memory): {
  raw: (...args: number[]) => number;
  gemm(call: GemmCall): void;
};
