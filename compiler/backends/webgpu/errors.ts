import { CompileError } from '../../fusion/errors.ts';

/** WebGPU cannot run here: no navigator.gpu, the `webgpu` package does not load, or no adapter. */
export class WebgpuUnavailableError extends CompileError {
  constructor(readonly missing: string) {
    super(`the webgpu backend is unavailable: ${missing}`, { missing });
  }
}

/** A program needs more than the device allows (a buffer binding, workgroup storage, invocations). */
export class WebgpuLimitError extends CompileError {
  constructor(
    readonly limit: string,
    readonly needed: number,
    readonly allowed: number,
    what: string,
  ) {
    super(`webgpu: ${what} needs ${limit} >= ${needed}, but this device allows ${allowed}`, { limit, needed, allowed, what });
  }
}

/** The WebGPU implementation rejected a generated shader or pipeline; `wgsl` is its source. */
export class WebgpuShaderError extends CompileError {
  constructor(
    readonly label: string,
    readonly messages: string,
    readonly wgsl: string,
  ) {
    super(`webgpu: shader ${label} was rejected: ${messages}\n--- WGSL ---\n${wgsl}`, { label });
  }
}

/** The GPU device was lost (driver reset, out of memory, destroyed); programs on it cannot run again. */
export class WebgpuDeviceLostError extends CompileError {
  constructor(readonly reason: string) {
    super(`webgpu: the device was lost (${reason}); compile the program again to run on a new device`, { reason });
  }
}

/** A WebGPU call failed validation or ran out of memory while running a program. */
export class WebgpuRunError extends CompileError {
  constructor(what: string, message: string) {
    super(`webgpu: ${what}: ${message}`, { what });
  }
}

/** A synchronous call of a webgpu program: WebGPU reads back only asynchronously. */
export class WebgpuAsyncError extends CompileError {
  constructor(what = 'a webgpu program') {
    super(`${what} runs asynchronously (WebGPU has no synchronous readback): call runAsync(...) instead`, {});
  }
}
