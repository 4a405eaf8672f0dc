import { describe, expect, it } from 'vitest';
import { dawnSuite } from '../compiler/backends/webgpu/dawnChild.ts';

// The peers' losses on the standard workload (../shared/bench/workloads.md: PyTorch and jax-js).
const PEER_LOSS_0 = 6.970098;
const PEER_LOSS_20 = 6.481543;

describe('bert-mlm-step tiny on the webgpu backend (Dawn; SwiftShader without a GPU)', () => {
  // SwiftShader takes about 25 s a step here (a minute for the first, with the shader builds)
  it('losses at steps 0 and 20 equal the peers\' to 2e-5', { timeout: 1_500_000 }, () => {
    const r = dawnSuite('bertTiny', 1_400_000) as { failures: string[]; losses: number[] };
    expect(r.failures).toEqual([]);
    expect(r.losses).toHaveLength(21);
    expect(Math.abs(r.losses[0]! - PEER_LOSS_0)).toBeLessThan(2e-5);
    expect(Math.abs(r.losses[20]! - PEER_LOSS_20)).toBeLessThan(2e-5);
  });
});
