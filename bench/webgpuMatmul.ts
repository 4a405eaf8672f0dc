// npm run bench -- matmul --backend webgpu [--size N | --sizes 1024,2048,4096,8192] [--runs R]
//
// GFLOP/s of the webgpu backend's tiled matmul kernel (compiler/backends/webgpu/matmulShader.ts)
// on square n x n x n products: the operands are written to the device once, then R dispatches
// are submitted back to back and timed to the GPU's completion (no readback in the timing).
import { wordPlan } from '../compiler/backends/webgpu/build.ts';
import { releaseWebgpu, webgpuContext } from '../compiler/backends/webgpu/device.ts';
import { GPU_LIMITS, SOFTWARE_LIMITS, matmulTile } from '../compiler/backends/webgpu/matmulShader.ts';
import { SiteTable, programShaders } from '../compiler/backends/webgpu/programShaders.ts';
import { WebgpuExecutable } from '../compiler/backends/webgpu/webgpuExecutable.ts';
import { fuseGraph } from '../compiler/fusion/fuse.ts';
import * as p from '../dsl/index.ts';
import { spec } from '../dsl/host.ts';
import { trace } from '../dsl/trace.ts';
import { BenchInputError } from './benchmark.ts';

type T = p.Tensor<p.Axes>;

async function timeSize(n: number, runs: number): Promise<{ n: number; tile: string; ms: number; gflops: number }> {
  const traced = trace(((a: T, b: T) => p.dot(a, b, 'k')) as never, [spec(['m', 'k'], [n, n]), spec(['k', 'n'], [n, n])]);
  const fused = fuseGraph(traced.inputs, traced.outputs);
  const plan = wordPlan(fused);
  const sites = new SiteTable();
  const exe = new WebgpuExecutable(fused, plan, (software, layout) => programShaders(fused, plan, layout, sites, { software }), sites);
  const ones = new Float32Array(n * n).fill(1);
  await exe.submit(fused.inputBuffers.map((b) => [b, ones] as const), [], false);
  await exe.submit([], []); // warm-up (and pipeline creation)
  await exe.finished();
  const t0 = performance.now();
  for (let r = 0; r < runs; r++) void exe.submit([], []);
  await exe.finished();
  const ms = (performance.now() - t0) / runs;
  const t = matmulTile(n, n, 1, (await webgpuContext()).software ? SOFTWARE_LIMITS : GPU_LIMITS);
  return { n, tile: `${t.bm}x${t.bn}x${t.bk}/${t.tm}x${t.tn}`, ms, gflops: (2 * n ** 3) / ms / 1e6 };
}

export async function webgpuMatmulBench(argv: readonly string[], flag: (name: string) => string | undefined, json: boolean): Promise<Record<string, unknown>> {
  const sizes = (flag('--sizes') ?? flag('--size') ?? '1024,2048,4096,8192').split(',').map(Number);
  const bad = sizes.find((s) => !Number.isInteger(s) || s < 1);
  if (bad !== undefined) throw new BenchInputError(`--sizes: ${bad} is not a positive integer`, { flag: 'sizes', value: bad });
  const runs = Number(flag('--runs') ?? 10);
  const ctx = await webgpuContext();
  const results = [];
  try {
    for (const n of sizes) {
      const r = await timeSize(n, runs);
      if (!json) console.log(`webgpu matmul ${n}^3 (${r.tile}): ${r.ms.toFixed(2)} ms, ${r.gflops.toFixed(1)} GFLOP/s`);
      results.push(r);
    }
  } finally {
    await releaseWebgpu(); // Dawn's device would keep the process alive
  }
  return { impl: 'pretext-webgpu', adapter: ctx.adapterName, software: ctx.software, runs, results, argv: [...argv] };
}
