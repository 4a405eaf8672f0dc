import fc from 'fast-check';
import { describe, it } from 'vitest';
import { compile } from '../../../../compiler/compile.ts';
import type { GpujsMode } from '../../../../compiler/backends/gpujs/modes.ts';
import * as p from '../../../../dsl/index.ts';
import type { HostTensor } from '../../../../dsl/host.ts';
import { expectClose } from '../../../helpers/close.ts';
import { buildProgram, programInputs, randomProgramArb } from '../../randomGraph.ts';

type T = p.Tensor<p.Axes>;

// The modes that run in Node without a GPU: gpu.js's JavaScript and WebAssembly code generators.
// (webgpu: gated Node test and the Chromium test; webgl2: the Chromium test.)
const MODES: readonly GpujsMode[] = ['cpu', 'webasm'];

describe.each(MODES)('gpujs %s programs agree with the reference interpreter on random graphs', (mode) => {
  it('forward values', () => {
    fc.assert(
      fc.property(randomProgramArb(), (prog) => {
        const { floats, ints, key } = programInputs(prog);
        const fn = buildProgram(prog);
        const f = (xs: T[], i: T, k: T) => fn(xs, i, k as p.KeyTensor);
        const want = p.evaluate(f, floats, ints, key) as unknown as HostTensor[];
        const got = compile(f, [floats, ints, key], { backend: 'gpujs', gpujsMode: mode })(floats, ints, key) as unknown as HostTensor[];
        got.forEach((g, j) => expectClose(g, want[j]!, `output ${j}`));
      }),
      { numRuns: 40, seed: 31337 },
    );
  });

  it('value and gradient programs', () => {
    fc.assert(
      fc.property(randomProgramArb(7), (prog) => {
        const { floats, ints, key } = programInputs(prog);
        const fn = buildProgram(prog);
        const loss = (xs: T[], i: T, k: T) => {
          const outs = fn(xs, i, k as p.KeyTensor);
          return outs.reduce((acc: p.Tensor<[]>, o, j) => acc.add(p.sumAll(o.tanh().mul(j + 1))) as p.Tensor<[]>, p.scalar(0));
        };
        const f = (xs: T[], i: T, k: T) => p.valueAndGrad(loss)(xs, i, k);
        const want = p.evaluate(f, floats, ints, key) as unknown as { value: HostTensor; grads: HostTensor[] };
        const got = compile(f, [floats, ints, key], { backend: 'gpujs', gpujsMode: mode })(floats, ints, key) as unknown as { value: HostTensor; grads: HostTensor[] };
        expectClose(got.value, want.value, 'loss', 2e-4, 1e-3);
        got.grads.forEach((g, j) => expectClose(g, want.grads[j]!, `grad ${j}`, 1e-3, 1e-3));
      }),
      { numRuns: 25, seed: 2024 },
    );
  });
});
