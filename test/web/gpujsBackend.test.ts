import { describe, expect, it } from 'vitest';
import { GpujsNotLoadedError, gpujsBackend, loadGpujsBackend } from '../../compiler/gpujsBackend.browser.ts';

describe("the browser's on-demand gpujs backend (compiler/gpujsBackend.browser.ts)", () => {
  it('is a typed error before loadGpujsBackend() resolves, and the backend after', async () => {
    expect(() => gpujsBackend()).toThrow(GpujsNotLoadedError);
    expect(() => gpujsBackend()).toThrow(/await loadGpujsBackend\(\)/);
    const loaded = await loadGpujsBackend();
    expect(typeof loaded.buildGpujs).toBe('function');
    expect(gpujsBackend()).toBe(loaded);
  });
});
