// The browser's gpujs backend, loaded on demand (web/build.ts bundles the dynamic import as its
// own chunk): a page that trains on the cpu or webgpu backend never downloads gpu.js.
import { CompileError } from './fusion/errors.ts';
import type { GpujsBackend } from './gpujsBackend.ts';

/** compile() with the gpujs backend in a browser before loadGpujsBackend() has resolved. */
export class GpujsNotLoadedError extends CompileError {}

let loaded: GpujsBackend | undefined;

export function gpujsBackend(): GpujsBackend {
  if (!loaded) throw new GpujsNotLoadedError("the gpujs backend is loaded on demand in browsers: await loadGpujsBackend() (compiler/gpujsBackend) before compiling with backend 'gpujs'", { backend: 'gpujs' });
  return loaded;
}

export async function loadGpujsBackend(): Promise<GpujsBackend> {
  if (!loaded) {
    // the Node module itself (web/build.ts does not swap it for this file here): it imports the backend statically
    loaded = (await import('./gpujsBackend.ts')).gpujsBackend();
  }
  return loaded;
}
