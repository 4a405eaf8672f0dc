import { CompileError } from '../../fusion/errors.ts';
import type { GpujsMode } from './modes.ts';

/** A gpu.js mode cannot run here (no WebGPU adapter, no WebGL2 context, no WebAssembly...). */
export class GpujsModeUnavailableError extends CompileError {
  constructor(
    readonly mode: GpujsMode,
    readonly missing: string,
  ) {
    super(`gpujs mode '${mode}' is unavailable: ${missing}`, { mode, missing });
  }
}

/** A graph uses something the gpujs backend (or one of its modes) cannot compute faithfully. */
export class GpujsUnsupportedError extends CompileError {
  constructor(
    readonly op: string,
    readonly mode: GpujsMode,
    reason: string,
  ) {
    super(`gpujs (${mode}) cannot compute ${op}: ${reason}`, { op, mode });
  }
}

/** A synchronous call of a program whose mode only runs asynchronously (webgpu readback). */
export class GpujsAsyncModeError extends CompileError {
  constructor(readonly mode: GpujsMode) {
    super(`gpujs mode '${mode}' is asynchronous (WebGPU has no synchronous readback): call runAsync(...) instead`, { mode });
  }
}

/** gpu.js rejected or failed to build a generated kernel; the message carries the kernel source. */
export class GpujsKernelError extends CompileError {
  constructor(mode: GpujsMode, what: string, cause: unknown, source: string) {
    super(`gpujs (${mode}): ${what}: ${cause instanceof Error ? cause.message : String(cause)}\n--- kernel source ---\n${source}`, { mode, what });
  }
}
