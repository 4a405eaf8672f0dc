import { describe, expect, it } from 'vitest';
import type { GpujsMode } from '../../../../compiler/backends/gpujs/modes.ts';
import { checkHelpers, compareCase, integerCase, reference, runGpujs } from './cases.ts';

const MODES: readonly GpujsMode[] = ['cpu', 'webasm'];

describe.each(MODES)('gpujs %s: integer and random-bit semantics', (mode) => {
  it('integer helpers (division, remainders, imul, unsigned compare, casts, threefry) match JavaScript', async () => {
    expect(await checkHelpers(mode)).toEqual([]);
  });

  it('a program of wrap-around integer ops, casts, integer reductions and samplers matches the interpreter exactly', async () => {
    const c = integerCase();
    expect(compareCase(await runGpujs(c, mode), reference(c), 'integers')).toEqual([]);
  });
});
