import { describe, expect, it } from 'vitest';
import { dawnSuite } from './dawnChild.ts';

describe('webgpu kernels agree with the interpreter in every layout (Node, Dawn)', () => {
  it('matmuls in every workgroup tile: plain, transposed and batched operands, bias + GELU epilogue', () => {
    const r = dawnSuite('matmul');
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(12);
  });

  it('row kernels as workgroup reductions (1 to 256 lanes a row): softmax, LayerNorm, cross-entropy, argmax ties, column sums', () => {
    const r = dawnSuite('rows');
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(10);
  });

  it('scatter-add with colliding indices and a gather gradient', () => {
    const r = dawnSuite('scatter');
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(1);
  });
});
