/// <reference types="@webgpu/types" />

/**
 * `navigator.gpu`, installing it first in Node: Dawn from the `webgpu` package, its globals on
 * globalThis (GPUBufferUsage...) and navigator.gpu = create([]). Returns the reason when WebGPU
 * cannot exist here. Vulkan must be findable when the process starts: on Linux without a GPU,
 * Chromium's SwiftShader, e.g. LD_LIBRARY_PATH=/usr/lib/chromium
 * VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.
 */
export async function navigatorGpu(): Promise<GPU | string> {
  const found = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (found) return found;
  if (typeof process === 'undefined' || !process.versions?.node) return 'navigator.gpu is missing (a browser without WebGPU)';
  const name = 'webgpu'; // not a literal: browser bundles must not try to include Dawn
  let dawn: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    dawn = (await import(/* @vite-ignore */ name)) as typeof dawn;
  } catch (e) {
    return `the Node package \`webgpu\` does not load (${(e as Error).message})`;
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const g = globalThis as { navigator?: object };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else g.navigator = { gpu };
  return gpu;
}
