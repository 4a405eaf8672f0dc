/**
 * The webgpu backend's errors, provoked for real on the device: an index out of range, a shader
 * the implementation rejects, a limit exceeded, a lost device, and (in a process without Vulkan)
 * no adapter. Each check returns a failure message when the error is missing or wrong.
 */
import { wordPlan } from '../../../../compiler/backends/webgpu/build.ts';
import { webgpuContext } from '../../../../compiler/backends/webgpu/device.ts';
import type { WebgpuLimitError, WebgpuShaderError } from '../../../../compiler/backends/webgpu/errors.ts';
import { SiteTable, programShaders } from '../../../../compiler/backends/webgpu/programShaders.ts';
import type { ShaderSpec } from '../../../../compiler/backends/webgpu/shaderModule.ts';
import { WebgpuExecutable } from '../../../../compiler/backends/webgpu/webgpuExecutable.ts';
import { compile } from '../../../../compiler/compile.ts';
import { fuseGraph } from '../../../../compiler/fusion/fuse.ts';
import * as p from '../../../../dsl/index.ts';
import { HostTensor } from '../../../../dsl/host.ts';
import { flattenArgs, trace } from '../../../../dsl/trace.ts';

type T = p.Tensor<p.Axes>;

/** A webgpu program of loosely typed arguments (the checks pass plain tensors). */
const compileWebgpu = (fn: (...a: T[]) => T, args: HostTensor[]) =>
  compile(fn as never, args as never, { backend: 'webgpu' }) as unknown as { runAsync(...a: HostTensor[]): Promise<HostTensor> };

/** The error `run` rejects with, or a failure message when it resolves. */
async function rejection(run: () => Promise<unknown>): Promise<Error | string> {
  try {
    await run();
    return 'resolved without an error';
  } catch (e) {
    return e as Error;
  }
}

function expectError(got: Error | string, name: string, what: string, check: (e: Error) => string | undefined = () => undefined): string[] {
  if (typeof got === 'string') return [`${what}: ${got}`];
  if (got.name !== name) return [`${what}: ${got.name} (${got.message.slice(0, 300)}), expected ${name}`];
  const bad = check(got);
  return bad ? [`${what}: ${bad}`] : [];
}

const table = new HostTensor(['v', 'd'], [5, 3], 'f32', Float32Array.from({ length: 15 }, (_, i) => i));
const ids = (values: number[]) => new HostTensor(['t'], [values.length], 'i32', Int32Array.from(values));
const gatherRows = (w: T, i: T): T => p.gather(w, i, 'v').mul(2) as T;

/** An executable of a small real program whose shaders are replaced by `shaders`. */
function withShaders(shaders: readonly ShaderSpec[], firstBufferBytes?: number): { exe: WebgpuExecutable; inputs: HostTensor[] } {
  const traced = trace(gatherRows as never, [table, ids([0, 1])]);
  const fused = fuseGraph(traced.inputs, traced.outputs);
  const plan = wordPlan(fused);
  const sites = new SiteTable();
  const planned = firstBufferBytes === undefined ? plan : { ...plan, sizes: plan.sizes.map((s, b) => (b === 0 ? firstBufferBytes : s)) };
  const exe = new WebgpuExecutable(fused, planned, (_software, layout) => [...programShaders(fused, plan, layout, sites), ...shaders], sites);
  return { exe, inputs: flattenArgs(traced, [table, ids([0, 1])]) };
}

export async function errorChecks(): Promise<{ failures: string[]; checked: number }> {
  const failures: string[] = [];
  const f = compileWebgpu(gatherRows, [table, ids([0, 4, 1])]);
  const ok = await f.runAsync(table, ids([0, 4, 1]));
  if (ok.data[3] !== 24) failures.push(`in-range gather: element 3 is ${ok.data[3]}, expected 24`);
  failures.push(...expectError(await rejection(() => f.runAsync(table, ids([0, 5, 1]))), 'IndexError', 'gather index 5 of 5 rows', (e) =>
    e.message.includes('errorCases.ts') ? undefined : `the message names no call site: ${e.message}`));
  // the status is cleared per run: the next good run succeeds
  if ((await f.runAsync(table, ids([4, 4, 4]))).data[0] !== 24) failures.push('a run after an IndexError went wrong');

  const bad = 'fn main() { let x: i32 = 1.5; }';
  const spec: ShaderSpec = { label: 'bad', kernel: -1, wgsl: bad, workgroups: [1, 1, 1], usesStatus: false, arenas: [], workgroupBytes: 0, invocations: 1 };
  const w = withShaders([spec]);
  failures.push(...expectError(await rejection(() => w.exe.runAsync(w.inputs)), 'WebgpuShaderError', 'invalid WGSL', (e) =>
    (e as WebgpuShaderError).wgsl === bad && e.message.includes('--- WGSL ---') ? undefined : 'the WGSL source is not attached'));

  const { device } = await webgpuContext();
  const big = withShaders([{ ...spec, wgsl: '', workgroupBytes: device.limits.maxComputeWorkgroupStorageSize + 4 }]);
  failures.push(...expectError(await rejection(() => big.exe.runAsync(big.inputs)), 'WebgpuLimitError', 'workgroup storage over the limit', (e) =>
    (e as WebgpuLimitError).limit === 'maxComputeWorkgroupStorageSize' ? undefined : `limit ${(e as WebgpuLimitError).limit}`));
  const huge = withShaders([], device.limits.maxStorageBufferBindingSize + 64);
  failures.push(...expectError(await rejection(() => huge.exe.runAsync(huge.inputs)), 'WebgpuLimitError', 'a buffer over the binding limit', (e) =>
    (e as WebgpuLimitError).limit === 'maxStorageBufferBindingSize' ? undefined : `limit ${(e as WebgpuLimitError).limit}`));

  // a lost device: programs on it fail with WebgpuDeviceLostError; a new compile gets a new device
  device.destroy();
  await device.lost;
  failures.push(...expectError(await rejection(() => f.runAsync(table, ids([0, 1, 2]))), 'WebgpuDeviceLostError', 'a run after the device was lost'));
  const again = compileWebgpu((w2, i) => gatherRows(w2, i).add(1) as T, [table, ids([2])]);
  if ((await again.runAsync(table, ids([2]))).data[0] !== 13) failures.push('a program compiled after the loss did not run on a new device');
  return { failures, checked: 7 };
}

/** In a process without Vulkan: the first run rejects with WebgpuUnavailableError. */
export async function noAdapterCheck(): Promise<{ failures: string[]; checked: number }> {
  const f = compileWebgpu(gatherRows, [table, ids([0])]);
  return { failures: expectError(await rejection(() => f.runAsync(table, ids([0]))), 'WebgpuUnavailableError', 'no Vulkan driver', (e) =>
    /adapter|webgpu/.test(e.message) ? undefined : e.message), checked: 1 };
}
