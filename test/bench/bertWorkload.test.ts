import { describe, expect, it } from 'vitest';
import { compileWorkloadStep } from '../../bench/bertMlmStep.ts';
import { BERT_WORKLOAD_CONFIGS, workloadBatch, workloadFlops, workloadParamSpecs } from '../../bench/workload/bertWorkload.ts';
import type { HostTensor } from '../../dsl/host.ts';

describe('bert-mlm-step workload', () => {
  it('tiny: loss at steps 0 and 20 equals the peers\' (PyTorch, jax-js) to 1e-5', () => {
    const { step, inputsFor } = compileWorkloadStep(BERT_WORKLOAD_CONFIGS.tiny);
    const losses: number[] = [];
    for (let i = 0; i <= 20; i++) losses.push((step.run(inputsFor(i) as never) as { loss: HostTensor }).loss.item());
    expect(Math.abs(losses[0]! - 6.970098)).toBeLessThan(1e-5);
    expect(Math.abs(losses[20]! - 6.481543)).toBeLessThan(1e-5);
    // parameters and optimizer state were updated in place, not copied back each step
    expect(step.stats.donated).toBeGreaterThan(0);
  });

  it('has the documented structure: 36 parameters (tiny), 307 masked positions, FLOP formula', () => {
    const c = BERT_WORKLOAD_CONFIGS.tiny;
    expect(workloadParamSpecs(c)).toHaveLength(4 + 16 * c.L + 5);
    const b = workloadBatch(c);
    expect(b.nMask).toBe(307);
    expect(Array.from(b.maskIdx).every((p) => b.inputIds[p] === 0 && b.maskWeights[p] === 1)).toBe(true);
    expect(workloadFlops(c).forward).toBeCloseTo(2.349e9, -7);
    expect(workloadFlops(BERT_WORKLOAD_CONFIGS.small).step).toBeCloseTo(9.18e10, -9);
  });
});
