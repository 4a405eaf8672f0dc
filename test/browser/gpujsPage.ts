/**
 * Browser entry for gpujsChromium.test.ts (bundled with esbuild): runs gpujs checks in this page's
 * WebGPU or WebGL2 and hands results back as plain JSON. References are computed in Node.
 */
import type { GpujsMode } from '../../compiler/backends/gpujs/modes.ts';
import { loadGpujsBackend } from '../../compiler/gpujsBackend.ts'; // swapped for its .browser.ts sibling: gpu.js on demand
import type { RandomProgram } from '../compiler/randomGraph.ts';
import { type PlainTensor, checkHelpers, integerCase, plain, randomCase, runGpujs } from '../compiler/backends/gpujs/cases.ts';

export type PageJob = { readonly kind: 'helpers' } | { readonly kind: 'integers' } | { readonly kind: 'forward' | 'grad'; readonly prog: RandomProgram };
export type PageResult = { readonly failures: string[] } | { readonly outputs: PlainTensor[] } | { readonly error: string };

async function runJob(mode: GpujsMode, job: PageJob): Promise<PageResult> {
  try {
    await loadGpujsBackend();
    if (job.kind === 'helpers') return { failures: await checkHelpers(mode) };
    const c = job.kind === 'integers' ? integerCase() : randomCase(job.prog, job.kind);
    return { outputs: (await runGpujs(c, mode)).map(plain) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}`.slice(0, 4000) };
  }
}

async function run(mode: GpujsMode, jobs: readonly PageJob[]): Promise<PageResult[]> {
  const out: PageResult[] = [];
  for (const job of jobs) out.push(await runJob(mode, job));
  return out;
}

async function environment(): Promise<Record<string, unknown>> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  const canvas = document.createElement('canvas');
  return { webgpu: Boolean(gpu), adapter: Boolean(adapter), webgl2: Boolean(canvas.getContext('webgl2')) };
}

(globalThis as { pretextGpujs?: unknown }).pretextGpujs = { run, environment };
