import { describe, expect, it } from 'vitest';
import { dawnSuite } from './dawnChild.ts';

describe('compileStep on the webgpu backend (state resident on the device)', () => {
  it('a small BERT MLM step (forward, backward, AdamW) matches the cpu backend: losses, state, pipelined steps, writeState', () => {
    const r = dawnSuite('step') as { failures: string[]; losses: number[]; cpuLosses: number[]; donated: number };
    expect(r.failures).toEqual([]);
    expect(r.losses).toHaveLength(4);
    // the loss moves (the optimizer state is updated on the device between steps)
    expect(r.losses[3]).toBeLessThan(r.losses[0]!);
    expect(r.donated).toBeGreaterThan(0);
  });
});
