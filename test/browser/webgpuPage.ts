/**
 * Browser entry for webgpuChromium.test.ts (bundled with esbuild): runs programs on the webgpu
 * backend with this page's navigator.gpu and hands the outputs back as plain JSON. References
 * are computed in Node.
 */
import type { RandomProgram } from '../compiler/randomGraph.ts';
import { type PlainTensor, integerCase, plain, randomCase } from '../compiler/backends/gpujs/cases.ts';
import { matmulTileFailures, rowLayoutFailures, runWebgpu } from '../compiler/backends/webgpu/cases.ts';

export type WebgpuPageJob = { readonly kind: 'integers' } | { readonly kind: 'kernels' } | { readonly kind: 'forward' | 'grad'; readonly prog: RandomProgram };
export type WebgpuPageResult = { readonly failures: string[] } | { readonly outputs: PlainTensor[] } | { readonly error: string };

async function runJob(job: WebgpuPageJob): Promise<WebgpuPageResult> {
  try {
    if (job.kind === 'kernels') return { failures: [...(await matmulTileFailures()).failures, ...(await rowLayoutFailures()).failures] };
    const c = job.kind === 'integers' ? integerCase() : randomCase(job.prog, job.kind);
    return { outputs: (await runWebgpu(c)).map(plain) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}`.slice(0, 4000) };
  }
}

async function run(jobs: readonly WebgpuPageJob[]): Promise<WebgpuPageResult[]> {
  const out: WebgpuPageResult[] = [];
  for (const job of jobs) out.push(await runJob(job));
  return out;
}

(globalThis as { pretextWebgpu?: unknown }).pretextWebgpu = { run };
