import type { Executable } from '../../compile.ts';
import { explainProgram } from '../../explain.ts';
import type { FuseResult } from '../../fusion/fuse.ts';
import type { KernelProgram } from '../../kernel/kernel.ts';
import { type MemoryPlan, planMemory } from '../../schedule/memoryPlan.ts';
import { WebgpuAsyncError } from './errors.ts';
import { type ShaderOptions, SiteTable, programShaders } from './programShaders.ts';
import { WebgpuExecutable } from './webgpuExecutable.ts';

/** The memory plan with every element one 32-bit word: the arena is an array<u32> (bools too). */
export function wordPlan(p: KernelProgram, aliases?: ReadonlyMap<number, number>): MemoryPlan {
  return planMemory({ ...p, buffers: p.buffers.map((b) => (b.dtype === 'bool' ? { ...b, dtype: 'u32' as const } : b)) }, aliases);
}

/**
 * compile()'s webgpu backend: WGSL generated from the fused program (made here, so explain()
 * shows it before anything runs); the device and pipelines are made on the first runAsync.
 * `run` throws WebgpuAsyncError: WebGPU reads back only asynchronously.
 */
export function buildWebgpu(fused: FuseResult, t0: number, options: ShaderOptions = {}): Executable {
  const plan = wordPlan(fused);
  const sites = new SiteTable();
  const exe = new WebgpuExecutable(fused, plan, (software, layout) => programShaders(fused, plan, layout, sites, { software, ...options }), sites);
  const stats = { kernels: fused.kernels.length, peakBytes: plan.peakBytes, unplannedBytes: plan.unplannedBytes, compileMs: performance.now() - t0 };
  return {
    run: () => {
      throw new WebgpuAsyncError('a program compiled for the webgpu backend');
    },
    runAsync: (inputs) => exe.runAsync(inputs),
    explain: () => `webgpu: ${exe.shaders.length} compute shaders, one submission per run\n${explainProgram(fused, plan, exe.sources())}`,
    stats,
    fused,
  };
}
