/** The gpu.js modes the gpujs backend runs in. */
export type GpujsMode = 'cpu' | 'webasm' | 'webgpu' | 'webgl2';

export const GPUJS_MODES: readonly GpujsMode[] = ['cpu', 'webasm', 'webgpu', 'webgl2'];

export interface ModeTraits {
  /**
   * Array arguments one gpu.js kernel may take. WebGPU's default device allows 8 storage buffers
   * per shader stage (gpu.js asks for no more) and the output takes one; WebGL2 guarantees 16
   * texture units. Kernels that read more buffers read a packed copy (see argPlan.ts).
   */
  readonly maxArgs: number;
  /** Kernel calls return Promises (WebGPU readback is asynchronous). */
  readonly async: boolean;
  /**
   * Values live on a device (GPU buffers or textures): inputs are uploaded once per run by a copy
   * kernel and outputs come back in one readback. Host modes (cpu, webasm) pass typed arrays.
   */
  readonly device: boolean;
}

export const MODE_TRAITS: Record<GpujsMode, ModeTraits> = {
  cpu: { maxArgs: Infinity, async: false, device: false },
  webasm: { maxArgs: Infinity, async: false, device: false },
  webgpu: { maxArgs: 7, async: true, device: true },
  webgl2: { maxArgs: 12, async: false, device: true },
};
