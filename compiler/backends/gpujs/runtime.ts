import * as gpujs from 'gpu.js';

const { GPU } = gpujs;
// Kernel classes, to tell which backend a kernel really runs on (index.d.ts lacks WebGPUKernel).
type KernelClass = abstract new (...args: never[]) => object;
const classes = gpujs as unknown as Record<'CPUKernel' | 'WebAssemblyKernel' | 'WebGL2Kernel' | 'WebGPUKernel', KernelClass | undefined>;
const isA = (k: object, c: KernelClass | undefined) => c !== undefined && k instanceof c;
import { GpujsModeUnavailableError } from './errors.ts';
import { HELPERS, type HelperName } from './helpers.ts';
import type { GpujsMode } from './modes.ts';

/** What the executable calls: a gpu.js kernel (its return is a value, a handle, or a Promise). */
export type GpuKernel = ((...args: unknown[]) => unknown) & {
  readonly kernel?: { readonly constructor: { readonly mode?: string }; readonly fallbackReason?: string | null };
  destroy?(): void;
};

/** The mode of the gpu.js kernel object that actually ran (WebGL kernels all call themselves 'gpu'). */
export function kernelMode(k: object): GpujsMode | 'other' {
  if (isA(k, classes.WebGPUKernel)) return 'webgpu';
  if (isA(k, classes.WebGL2Kernel)) return 'webgl2';
  if (isA(k, classes.WebAssemblyKernel)) return 'webasm';
  if (isA(k, classes.CPUKernel)) return 'cpu';
  return 'other';
}

/** gpu.js's `createKernel`, typed loosely: settings and sources are built by this backend. */
interface GpuLike {
  createKernel(source: string, settings: Record<string, unknown>): GpuKernel;
}

const instances = new Map<GpujsMode, GpuLike>();

/**
 * One gpu.js instance per mode, shared by every compiled program: a WebGL2 instance owns a
 * canvas and GL context, and browsers allow only a handful of contexts per page.
 */
export function gpuFor(mode: GpujsMode): GpuLike {
  let gpu = instances.get(mode);
  if (!gpu) {
    checkSyncAvailability(mode);
    try {
      gpu = new GPU({ mode }) as unknown as GpuLike;
    } catch (e) {
      throw new GpujsModeUnavailableError(mode, `gpu.js could not start it (${(e as Error).message})`);
    }
    instances.set(mode, gpu);
  }
  return gpu;
}

/**
 * gpu.js settings of a generated kernel: one thread per output float, results kept on the device
 * (`pipeline`), single precision, and its helpers, as GLSL natives in webgl2 where they exist.
 */
export function kernelSettings(mode: GpujsMode, helpers: readonly HelperName[], floats: number): Record<string, unknown> {
  const native = (h: HelperName) => mode === 'webgl2' && HELPERS[h].glsl !== undefined;
  return {
    output: [floats],
    pipeline: true,
    immutable: false,
    precision: 'single',
    tactic: 'precision',
    loopMaxIterations: 1 << 30,
    functions: helpers.filter((h) => !native(h)).map((h) => ({
      source: HELPERS[h].source,
      settings: { argumentTypes: HELPERS[h].argumentTypes, returnType: HELPERS[h].returnType },
    })),
    nativeFunctions: helpers.filter(native).map((h) => ({ name: h, source: HELPERS[h].glsl!, returnType: HELPERS[h].returnType })),
  };
}

/** What can be checked without waiting: WebAssembly, WebGL2 and navigator.gpu being present. */
export function checkSyncAvailability(mode: GpujsMode): void {
  switch (mode) {
    case 'cpu':
      return;
    case 'webasm':
      if (!GPU.isWebAssemblySupported) throw new GpujsModeUnavailableError(mode, 'this JavaScript engine has no WebAssembly');
      return;
    case 'webgl2':
      if (!GPU.isWebGL2Supported) {
        throw new GpujsModeUnavailableError(mode, 'no WebGL2 context (needs a browser canvas; in Node gpu.js has only headless-gl, which is WebGL1)');
      }
      return;
    case 'webgpu':
      if (!hasNavigatorGpu()) {
        throw new GpujsModeUnavailableError(mode, 'navigator.gpu is missing (a browser without WebGPU, or Node without the `webgpu` package installed on globalThis)');
      }
  }
}

const hasNavigatorGpu = (): boolean => Boolean((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu);

/**
 * Makes WebGPU usable: in Node without navigator.gpu, installs Dawn from the `webgpu` package
 * (its globals on globalThis and navigator.gpu = create([])), then asks for an adapter. Vulkan
 * itself must be findable by the process: on Linux without a GPU, Chromium's SwiftShader, e.g.
 * LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.
 */
export async function ensureWebGPU(): Promise<void> {
  if (!hasNavigatorGpu() && typeof process !== 'undefined' && process.versions?.node) {
    const name = 'webgpu'; // not a literal: browser bundles must not try to include Dawn
    let dawn: { create(flags: string[]): unknown; globals: Record<string, unknown> };
    try {
      dawn = (await import(/* @vite-ignore */ name)) as typeof dawn;
    } catch (e) {
      throw new GpujsModeUnavailableError('webgpu', `the Node package \`webgpu\` does not load (${(e as Error).message})`);
    }
    Object.assign(globalThis, dawn.globals);
    const g = globalThis as { navigator?: object };
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: dawn.create([]), configurable: true });
    else g.navigator = { gpu: dawn.create([]) };
  }
  checkSyncAvailability('webgpu');
  if (!(await GPU.isWebGPUAvailable())) {
    throw new GpujsModeUnavailableError('webgpu', 'navigator.gpu.requestAdapter() found no adapter (no GPU and no software Vulkan such as SwiftShader visible to this process)');
  }
}
