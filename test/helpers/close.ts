import { expect } from 'vitest';
import type { HostTensor } from '../../dsl/host.ts';

/** float32 compiled values against float64 reference values. */
export function expectClose(got: HostTensor, want: HostTensor, what: string, rtol = 2e-4, atol = 2e-4): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  expect(got.axes, `${what}: axes`).toEqual(want.axes);
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i]!;
    const w = want.data[i]!;
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) {
      throw new Error(`${what}: element ${i} is ${g}, reference ${w} (|diff| ${Math.abs(g - w)})`);
    }
  }
}

