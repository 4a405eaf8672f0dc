import { describe, expect, it } from 'vitest';
import { dawnSuite } from '../compiler/backends/webgpu/dawnChild.ts';

// Needs nothing from ../shared: it is here because it is slow (minutes of shader compilation on
// SwiftShader); test/compiler/backends/webgpu/objectives.test.ts covers mlm and se in the main suite.
describe('the other objectives train on the webgpu backend as on the cpu backend', () => {
  it('electra, taco, sctd (both of its programs) and electra-tc: losses and gradient norms equal the cpu backend\'s', { timeout: 1_000_000 }, () => {
    const r = dawnSuite('objectives:electra,taco,sctd,electra-tc', 950_000) as { failures: string[]; losses: Record<string, number[]> };
    expect(r.failures).toEqual([]);
    expect(Object.keys(r.losses)).toEqual(['electra', 'taco', 'sctd', 'electra-tc']);
  });
});
