import { describe, expect, it } from 'vitest';
import { WebgpuAsyncError } from '../../../../compiler/backends/webgpu/errors.ts';
import { compile } from '../../../../compiler/compile.ts';
import * as p from '../../../../dsl/index.ts';
import { HostTensor } from '../../../../dsl/host.ts';
import { dawnEnv, dawnSuite, runDawnChild } from './dawnChild.ts';

type T = p.Tensor<p.Axes>;

describe('webgpu backend errors', () => {
  it('a synchronous call is a WebgpuAsyncError naming runAsync (no device needed)', () => {
    const x = new HostTensor(['n'], [3], 'f32', Float32Array.from([1, 2, 3]));
    const f = compile((a: T) => a.exp(), [x] as never, { backend: 'webgpu' }) as unknown as ((a: HostTensor) => unknown) & { explain(): string };
    expect(() => f(x)).toThrow(WebgpuAsyncError);
    expect(() => f(x)).toThrow(/runAsync/);
    // the WGSL exists before any device does
    expect(f.explain()).toMatch(/@compute @workgroup_size/);
  });

  it('an index out of range (IndexError naming the call site), a rejected shader (WGSL attached), limits exceeded, a lost device', () => {
    const r = dawnSuite('errors');
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(7);
  });

  it('no adapter (a process without a Vulkan driver): WebgpuUnavailableError', () => {
    const runner = new URL('./nodeRunner.ts', import.meta.url).pathname;
    const r = runDawnChild(runner, ['noAdapter'], dawnEnv({ LD_LIBRARY_PATH: '', VK_ICD_FILENAMES: '/nonexistent/icd.json' }), 60_000);
    expect(r.failures).toEqual([]);
  });
});
