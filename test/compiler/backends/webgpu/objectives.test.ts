import { describe, expect, it } from 'vitest';
import { dawnSuite } from './dawnChild.ts';

// SE here, MLM through the whole CLI in trainCli.test.ts; ELECTRA, TACO, ScTD and ELECTRA-TC
// (about 4 minutes of SwiftShader shader compilation) in test/reference/webgpuObjectives.test.ts.
describe('objectives train on the webgpu backend as on the cpu backend', () => {
  it('se: the first updates\' losses and gradient norms equal the cpu backend\'s', () => {
    const r = dawnSuite('objectives:se', 400_000) as { failures: string[]; losses: Record<string, number[]> };
    expect(r.failures).toEqual([]);
    expect(Object.keys(r.losses)).toEqual(['se']);
  });
});
