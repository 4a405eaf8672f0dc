// Types for pool-loop.mjs.
import type { KernelFn } from './pool-protocol.mjs';

export declare function runPoolWorker(
  init: { control: SharedArrayBuffer; index: number; threads: number; spinMicros: number },
  kernels: KernelFn[],
  drain: () => void | Promise<void>,
  reportError: (message: string) => void,
): Promise<void>;
