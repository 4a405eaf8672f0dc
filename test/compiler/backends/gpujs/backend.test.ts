import { describe, expect, it } from 'vitest';
import { GpujsAsyncModeError, GpujsModeUnavailableError } from '../../../../compiler/backends/gpujs/errors.ts';
import { GpujsExecutable } from '../../../../compiler/backends/gpujs/gpujsExecutable.ts';
import type { GpujsMode } from '../../../../compiler/backends/gpujs/modes.ts';
import { compile } from '../../../../compiler/compile.ts';
import { fuseGraph } from '../../../../compiler/fusion/fuse.ts';
import * as p from '../../../../dsl/index.ts';
import { HostTensor } from '../../../../dsl/host.ts';
import { flatten } from '../../../../dsl/tree.ts';
import { key } from '../../../../prng/key.ts';
import { normal, randint } from '../../../../prng/samplers.ts';
import { expectClose } from '../../../helpers/close.ts';

type T = p.Tensor<p.Axes>;
const leaves = (tree: unknown) => flatten<HostTensor>(tree, (x) => x instanceof HostTensor).leaves;
const randn = (axes: string[], shape: number[], seed: number) =>
  new HostTensor(axes, shape, 'f32', Float32Array.from(normal(key(seed), shape.reduce((a, b) => a * b, 1))));

describe('gpujs backend: modes and errors', () => {
  const x = randn(['a', 'b'], [3, 4], 1);
  const f = (t: T) => p.softmax(t, 'b');

  it('names the mode and what is missing when a mode cannot run here', () => {
    // Node has no WebGL2 (gpu.js's headless-gl is WebGL1); checked when compiling
    expect(() => compile(f, [x], { backend: 'gpujs', gpujsMode: 'webgl2' })).toThrow(GpujsModeUnavailableError);
    try {
      compile(f, [x], { backend: 'gpujs', gpujsMode: 'webgl2' });
    } catch (e) {
      expect((e as GpujsModeUnavailableError).mode).toBe('webgl2');
      expect((e as Error).message).toMatch(/webgl2.*WebGL2/);
    }
  });

  it('webgpu has no synchronous call: a typed error points to runAsync', () => {
    const c = compile(f, [x], { backend: 'gpujs', gpujsMode: 'webgpu' });
    expect(() => c(x)).toThrow(GpujsAsyncModeError);
    expect(() => c(x)).toThrow(/runAsync/);
  });

  it('runAsync works in the synchronous modes too, with the same results', async () => {
    const c = compile(f, [x], { backend: 'gpujs', gpujsMode: 'cpu' });
    const [a, b] = [c(x), await c.runAsync(x)] as unknown as HostTensor[];
    expect(Array.from(b!.data)).toEqual(Array.from(a!.data));
  });

  it('explain() lists the gpu.js kernel sources under each fused kernel', () => {
    const text = compile(f, [x], { backend: 'gpujs', gpujsMode: 'cpu' }).explain();
    expect(text).toMatch(/^gpujs \(cpu\): \d+ gpu\.js kernels/);
    expect(text).toMatch(/#0 row:/);
    expect(text).toMatch(/\| function \(a0/);
  });
});

describe.each(['cpu', 'webasm'] as const satisfies readonly GpujsMode[])('gpujs %s: shapes the random graphs do not reach', (mode) => {
  it('kernels reading more arrays than the mode allows read packed copies', () => {
    const xs = Array.from({ length: 9 }, (_, i) => randn(['a', 'b'], [3, 5], 10 + i));
    const fn = (...ts: T[]) => [ts.reduce((acc, t, i) => acc.add(t.mul(i + 1)) as T), p.sum(ts.reduce((acc, t) => acc.mul(t.tanh()) as T), 'b')];
    const traced = p.trace(fn as (...a: never[]) => unknown, xs);
    const fused = fuseGraph(traced.inputs, traced.outputs);
    const exe = new GpujsExecutable(fused, mode, 3);
    expect(exe.specs.specs.some((s) => s.name.includes(':pack'))).toBe(true);
    expect(Math.max(...exe.specs.specs.map((s) => s.args.length))).toBeLessThanOrEqual(3);
    const got = exe.run(xs.map((t) => ({ dtype: t.dtype, shape: t.shape, data: t.data })));
    const want = leaves(p.evaluate(fn as (...a: unknown[]) => unknown, ...xs));
    got.forEach((g, i) => expectClose(new HostTensor(want[i]!.axes, g.shape, g.dtype, g.data), want[i]!, `output ${i}`));
  });

  it('batched matmuls with transposed operands, and their gradients', () => {
    const a = randn(['h', 'q', 'd'], [3, 17, 33], 3);
    const b = randn(['h', 'd', 'k'], [3, 33, 19], 4);
    const loss = (u: T, v: T) => p.sumAll(p.dot(u, v, 'd').tanh());
    const fn = (u: T, v: T) => [p.dot(u, v, 'd'), p.dot(p.transpose(v, ['h', 'k', 'd']), u, 'd'), p.valueAndGrad(loss)(u, v)];
    const want = leaves(p.evaluate(fn as (...a: unknown[]) => unknown, a, b));
    const got = leaves(compile(fn, [a, b], { backend: 'gpujs', gpujsMode: mode })(a, b));
    got.forEach((g, i) => expectClose(g, want[i]!, `output ${i}`, 1e-3, 1e-3));
  });

  it('an embedding gather and its scatter-add gradient over a 70000-row table (int halves above 2^16)', () => {
    const vocab = 70_000;
    const table = randn(['v', 'e'], [vocab, 3], 5);
    const ids = new HostTensor(['t'], [24], 'i32', Int32Array.from([...randint(key(6), 0, vocab, 20), 0, vocab - 1, 65535, 65536]));
    const loss = (w: T, i: T) => p.sumAll(p.gather(w, i, 'v').square().mul(0.5));
    const fn = (w: T, i: T) => [p.gather(w, i, 'v'), p.grad(loss)(w, i), p.argmax(p.gather(w, i, 'v'), 'e'), p.cast(i, 'f32').mul(2)];
    const want = leaves(p.evaluate(fn as (...a: unknown[]) => unknown, table, ids));
    const got = leaves(compile(fn, [table, ids], { backend: 'gpujs', gpujsMode: mode })(table, ids));
    got.forEach((g, i) => expectClose(g, want[i]!, `output ${i}`));
  });
});
