// How compile() (and compileStep) reach the gpujs backend. In Node it is imported statically, so
// compile(..., { backend: 'gpujs' }) just works; web/build.ts swaps in gpujsBackend.browser.ts,
// which loads it (and gpu.js, most of a bundle's bytes) only when a page asks for it.
import { buildGpujs } from './backends/gpujs/build.ts';

/** The gpujs backend's entry points. */
export interface GpujsBackend {
  readonly buildGpujs: typeof buildGpujs;
}

const backend: GpujsBackend = { buildGpujs };

/** The gpujs backend (always there in Node). */
export const gpujsBackend = (): GpujsBackend => backend;

/** Resolves once the gpujs backend can be used (at once in Node; browsers download it). */
export const loadGpujsBackend = async (): Promise<GpujsBackend> => backend;
