/**
 * Runs one suite of webgpu checks in this Node process (Dawn from the `webgpu` package) and
 * prints one JSON line: { unavailable } when no adapter exists, else { failures, checked, ... }.
 * Spawned by the webgpu tests with the Vulkan environment set (dawnChild.ts).
 */
import { webgpuContext } from '../../../../compiler/backends/webgpu/device.ts';
import { WebgpuUnavailableError } from '../../../../compiler/backends/webgpu/errors.ts';
import { randomPrograms } from '../gpujs/cases.ts';
import { agreementFailures, largeRandomPrograms, matmulTileFailures, rowLayoutFailures, scatterFailures } from './cases.ts';

const suites: Record<string, () => Promise<Record<string, unknown>>> = {
  agreement: () => agreementFailures({ forward: [...randomPrograms(12, 4242, 10), ...largeRandomPrograms(4, 99)], grad: [...randomPrograms(8, 777, 7), ...largeRandomPrograms(2, 5)] }),
  matmul: matmulTileFailures,
  rows: rowLayoutFailures,
  scatter: scatterFailures,
  errors: async () => (await import('./errorCases.ts')).errorChecks(),
  step: async () => (await import('./stepCases.ts')).stepChecks(),
  arenas: async () => (await import('./arenaCases.ts')).arenaChecks(),
  bertTiny: async () => (await import('./stepCases.ts')).workloadLosses(),
};

const suite = process.argv[2] ?? '';
if (suite === 'noAdapter') {
  // started without a Vulkan driver: the first run must say why WebGPU is missing
  const { noAdapterCheck } = await import('./errorCases.ts');
  console.log(JSON.stringify(await noAdapterCheck()));
  process.exit(0);
}
// objectives:NAME,NAME... trains those objectives on both backends
const objectives = suite.startsWith('objectives:') ? suite.slice('objectives:'.length).split(',') : undefined;
const run = objectives ? async () => (await import('./objectiveCases.ts')).objectiveChecks(objectives) : suites[suite];
if (!run) {
  console.log(JSON.stringify({ failures: [`unknown suite "${suite}" (${Object.keys(suites).join(', ')})`], checked: 0 }));
  process.exit(0);
}
const t0 = performance.now();
try {
  await webgpuContext();
} catch (e) {
  if (!(e instanceof WebgpuUnavailableError)) throw e;
  console.log(JSON.stringify({ unavailable: e.message }));
  process.exit(0);
}
console.log(JSON.stringify({ ...(await run()), ms: Math.round(performance.now() - t0) }));
process.exit(0); // Dawn's device keeps the event loop alive
