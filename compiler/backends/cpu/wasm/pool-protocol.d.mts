// Types for pool-protocol.mjs (plain JS so worker threads can load it without TypeScript).
export declare const PENDING: number;
export declare const MAIN_SLEEPING: number;
export declare const STOP: number;
export declare const READY: number;
export declare const JOB_THREADS: number;
export declare const STARTED: number;
export declare const N_PARTS: number;
export declare const NEXT_PART: number;
export declare const REGISTERED: number;
export declare const WORDS_PER_LINE: number;
export declare const GEN: number;
export declare const KERNEL: number;
export declare const SLEEPING: number;
export declare const ERROR: number;
export declare const ARG_SLOTS: number;
export declare const MAX_PARTS: number;
export declare const KERNEL_DRAIN: number;
export declare const FIRST_KERNEL: number;
export declare function workerWord(w: number, field: number): number;
export declare function controlBytes(threads: number): number;
export declare function argsOffset(threads: number): number;
export declare function partsOffset(threads: number): number;

/** Returns a non-zero number (or throws) on failure. */
export type KernelFn = (args: Float64Array, thread: number, threads: number) => number | void;

export type KernelMessage =
  | { kind: 'wasm'; id: number; module: WebAssembly.Module; name: string; arity: number;
      threadOffset?: { slot: number; strideSlot: number } }
  | { kind: 'js'; id: number; source: string };

export declare function makeKernel(msg: KernelMessage, memory: WebAssembly.Memory): KernelFn;
