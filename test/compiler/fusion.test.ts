import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.ts';
import * as p from '../../dsl/index.ts';
import { spec } from '../../dsl/host.ts';
import { intHost, normalHost } from '../helpers/arbitraries.ts';
import { expectClose } from '../helpers/close.ts';
import { trace } from '../../dsl/trace.ts';
import { fuseGraph } from '../../compiler/fusion/fuse.ts';
import { planMemory } from '../../compiler/schedule/memoryPlan.ts';
import { CpuExecutable } from '../../compiler/backends/cpu/cpuExecutable.ts';

type T = p.Tensor<p.Axes>;
const x = spec(['b', 't', 'hidden'], [4, 8, 16]);
const w = spec(['hidden', 'ffn'], [16, 32]);
const bias = spec(['ffn'], [32]);

describe('fusion: kernel counts for key patterns', () => {
  it('gelu(dot(x, w) + b) is one kernel (a matmul with its epilogue)', () => {
    const c = compile((xx: T, ww: T, bb: T) => p.gelu(p.dot(xx, ww, 'hidden').add(bb)), [x, w, bias]);
    expect(c.stats.kernels).toBe(1);
    expect(c.fused!.kernels[0]!.kind).toBe('matmul');
  });

  it('layerNorm forward is at most two kernels', () => {
    const g = spec(['hidden'], [16]);
    const c = compile((xx: T, gg: T, bb: T) => p.layerNorm(xx, 'hidden', gg, bb), [x, g, spec(['hidden'], [16])]);
    expect(c.stats.kernels).toBeLessThanOrEqual(2);
  });

  it('softmax-cross-entropy forward is at most two kernels', () => {
    const logits = spec(['b', 't', 'vocab'], [4, 8, 50]);
    const labels = spec(['b', 't'], [4, 8], 'i32');
    const c = compile((z: T, y: T) => p.crossEntropy(z, y, 'vocab'), [logits, labels]);
    expect(c.stats.kernels).toBeLessThanOrEqual(2);
  });

  it('softmax over the last axis is one kernel, and a random dropout mask never touches memory', () => {
    const c = compile((xx: T, kk: T) => p.dropout(kk as p.KeyTensor, p.softmax(xx, 'hidden'), 0.1), [x, spec(['key'], [2], 'u32')]);
    expect(c.stats.kernels).toBe(1);
    expect(c.fused!.buffers.filter((b) => b.dtype === 'u32' && b.role === 'temp')).toHaveLength(0);
  });

  it('a weight gradient is computed as a transposed product, not a product then a transpose', () => {
    const c = compile((ww: T, xx: T) => p.grad((u: T) => p.sumAll(p.dot(xx, u, 'hidden').tanh()))(ww), [w, x]);
    expect(c.fused!.kernels.filter((k) => k.kind === 'map' && k.nodes.every((n) => n.op === 'transpose'))).toHaveLength(0);
  });
});

describe('memory plan', () => {
  it('peak bytes of a training step are well below the unplanned sum, and poisoning freed buffers changes nothing', () => {
    const params = { w1: normalHost(1, ['hidden', 'ffn'], [16, 32]), w2: normalHost(2, ['ffn', 'hidden'], [32, 16]) };
    const input = normalHost(3, ['b', 't', 'hidden'], [4, 8, 16]);
    const loss = (ps: { w1: T; w2: T }, xx: T) => {
      let h = xx;
      for (let i = 0; i < 4; i++) h = p.layerNorm(h.add(p.dot(p.gelu(p.dot(h, ps.w1, 'hidden')), ps.w2, 'ffn')), 'hidden');
      return p.meanAll(h.square());
    };
    const f = (ps: { w1: T; w2: T }, xx: T) => p.valueAndGrad(loss)(ps, xx);
    const plain = compile(f, [params, input]);
    const poisoned = compile(f, [params, input], { poisonFreedBuffers: true });
    expect(plain.stats.peakBytes).toBeLessThan(0.6 * plain.stats.unplannedBytes);
    const a = plain(params, input);
    const b = poisoned(params, input);
    expect(Array.from(b.grads.w1.data)).toEqual(Array.from(a.grads.w1.data));
    const ref = p.evaluate(f, params, input);
    expectClose(a.grads.w2, ref.grads.w2, 'w2 grad', 1e-3, 1e-4);
  });

  it('poisoning can fail: a plan that frees a buffer before its last read gives NaN results', () => {
    const table = normalHost(5, ['vocab', 'hidden'], [5, 3]);
    const ids = intHost(4, ['t'], [6], 5);
    const f = (tb: T, i: T) => p.gather(p.exp(tb).add(tb), i, 'vocab').add(p.sum(p.exp(tb).add(tb), 'vocab'));
    const traced = trace(f as never, [table, ids]);
    const fused = fuseGraph(traced.inputs, traced.outputs);
    const plan = planMemory(fused);
    const temp = fused.buffers.find((b) => b.role === 'temp')!;
    // claim the temp dies right after the first kernel, although a later kernel reads it
    const wrong = { ...plan, freedAfter: plan.freedAfter.map((l, k) => (k === 0 ? [...l, temp.id] : l.filter((b) => b !== temp.id))) };
    const exe = new CpuExecutable(fused, wrong, { poison: true });
    const out = exe.run([table, ids]);
    expect(fused.kernels.length).toBeGreaterThan(1);
    expect(Array.from(out[0]!.data).some(Number.isNaN)).toBe(true);
    const good = new CpuExecutable(fused, plan, { poison: true }).run([table, ids]);
    expect(Array.from(good[0]!.data).some(Number.isNaN)).toBe(false);
  });
});
