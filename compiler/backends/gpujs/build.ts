import type { Executable } from '../../compile.ts';
import { explainProgram } from '../../explain.ts';
import type { FuseResult } from '../../fusion/fuse.ts';
import { planMemory } from '../../schedule/memoryPlan.ts';
import { GpujsExecutable } from './gpujsExecutable.ts';
import type { GpujsMode } from './modes.ts';
import { checkSyncAvailability } from './runtime.ts';

/**
 * compile()'s gpujs backend: the fused program as gpu.js kernels in `mode`. `run` is synchronous
 * in cpu, webasm and webgl2 and throws GpujsAsyncModeError in webgpu, where `runAsync` is the way.
 * Stats' peakBytes is the device memory of all values (gpu.js allocates every kernel's output;
 * the memory plan's reuse does not apply).
 */
export function buildGpujs(fused: FuseResult, mode: GpujsMode, t0: number): Executable {
  // webgpu is checked on the first runAsync: in Node, navigator.gpu is installed there (asynchronously)
  if (mode !== 'webgpu') checkSyncAvailability(mode);
  const exe = new GpujsExecutable(fused, mode);
  const plan = planMemory(fused);
  const stats = { kernels: fused.kernels.length, peakBytes: exe.deviceBytes(), unplannedBytes: plan.unplannedBytes, compileMs: performance.now() - t0 };
  return {
    run: (inputs) => exe.run(inputs),
    runAsync: (inputs) => exe.runAsync(inputs),
    explain: () => `gpujs (${mode}): ${exe.specs.specs.length} gpu.js kernels\n${explainProgram(fused, plan, exe.sources())}`,
    stats,
    fused,
  };
}
