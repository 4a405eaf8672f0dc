// What the CPU backend needs from its host (Node or a browser), implemented by platform.ts (Node)
// and platform.browser.ts (which a browser bundle substitutes for it: web/build.ts).
import type { KernelMessage } from './wasm/pool-protocol.mjs';

/** What a pool worker starts from (pool-loop.mjs). */
export interface PoolWorkerInit {
  readonly memory: WebAssembly.Memory;
  readonly control: SharedArrayBuffer;
  readonly threads: number;
  readonly spinMicros: number;
}

/** The pool's worker threads 1..threads-1, started on a control block. */
export interface PoolWorkers {
  /** Posts a kernel registration to every worker; the pool's next DRAIN job makes them read it. */
  post(message: KernelMessage): void;
  /** What worker w (1-based) said when its last job failed. */
  error(w: number): string;
  close(): Promise<void>;
}

export interface CpuPlatform {
  /** Threads for CPU programs, the calling one included. */
  defaultThreads(): number;
  /** Turns on relaxed SIMD where the engine has it behind a flag (Node 20); a no-op where it is on or absent. */
  enableRelaxedSimd(): void;
  /** Starts threads-1 workers on the control block (synchronously; they signal READY in it). */
  startWorkers(init: PoolWorkerInit): PoolWorkers;
}
