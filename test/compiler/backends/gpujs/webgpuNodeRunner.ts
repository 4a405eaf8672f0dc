/**
 * Runs the gpujs webgpu checks in this Node process (Dawn from the `webgpu` package) and prints
 * one JSON line: { skipped } when no adapter exists, else { failures, checked, ms }. Spawned by
 * webgpuNode.test.ts with the Vulkan environment set (Dawn finds libvulkan at process start).
 */
import { GpujsModeUnavailableError } from '../../../../compiler/backends/gpujs/errors.ts';
import { ensureWebGPU } from '../../../../compiler/backends/gpujs/runtime.ts';
import { checkHelpers, compareCase, integerCase, randomCase, randomPrograms, reference, runGpujs } from './cases.ts';

const t0 = performance.now();
try {
  await ensureWebGPU();
} catch (e) {
  if (!(e instanceof GpujsModeUnavailableError)) throw e;
  console.log(JSON.stringify({ skipped: e.message }));
  process.exit(0);
}
const failures: string[] = [];
let checked = 0;
failures.push(...(await checkHelpers('webgpu')));
const ints = integerCase();
failures.push(...compareCase(await runGpujs(ints, 'webgpu'), reference(ints), 'integers'));
for (const [kind, n, seed, maxOps] of [['forward', 5, 4242, 10], ['grad', 3, 777, 7]] as const) {
  for (const [j, prog] of randomPrograms(n, seed, maxOps).entries()) {
    const c = randomCase(prog, kind);
    failures.push(...compareCase(await runGpujs(c, 'webgpu'), reference(c), `${kind} program ${j}`, kind));
    checked++;
  }
}
console.log(JSON.stringify({ failures, checked, ms: Math.round(performance.now() - t0) }));
process.exit(0); // Dawn's device keeps the event loop alive
