import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../dsl/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import { keyInput } from '../../dsl/random.ts';
import { key } from '../../prng/key.ts';
import { intHost, normalHost, seedArb } from '../helpers/arbitraries.ts';

type T = p.Tensor<p.Axes>;
const dims = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }));
const prop = <A>(arb: fc.Arbitrary<A>, check: (a: A) => void) => fc.assert(fc.property(arb, check), { numRuns: 10, seed: 7 });

describe('gradients of composites (float64 finite differences, random shapes)', () => {
  it('named broadcasting of binary ops, with transposed and new axes', () => {
    prop(fc.tuple(dims, fc.integer({ min: 1, max: 3 }), seedArb), ([[m, n], k, s]) => {
      const a = normalHost(s, ['x', 'y'], [m, n]);
      const b = normalHost(s + 1, ['z', 'y', 'x'], [k, n, m]);
      p.checkGrads((u: T, v: T) => u.mul(v).add(u.div(v.exp())).sub(v), [a, b]);
    });
  });

  it('sum, mean, max, min over one or several named axes', () => {
    prop(fc.tuple(dims, seedArb), ([[m, n], s]) => {
      const a = normalHost(s, ['x', 'y'], [m, n]);
      p.checkGrads((u: T) => p.sum(u, 'y').add(p.mean(u, ['x', 'y'])), [a]);
      p.checkGrads((u: T) => p.max(u, 'x').mul(p.min(u, 'x')), [a]);
    });
  });

  it('softmax, logSoftmax, logSumExp', () => {
    prop(fc.tuple(dims, seedArb), ([[m, n], s]) => {
      const a = normalHost(s, ['b', 'v'], [m, n], (v) => 3 * v);
      const w = normalHost(s + 1, ['b', 'v'], [m, n]);
      p.checkGrads((u: T, c: T) => p.softmax(u, 'v').mul(c), [a, w], { wrt: [0] });
      p.checkGrads((u: T, c: T) => p.logSoftmax(u, 'v').mul(c), [a, w], { wrt: [0] });
      p.checkGrads((u: T) => p.logSumExp(u, 'v'), [a]);
    });
  });

  it('variance and layerNorm with gain and bias', () => {
    prop(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 6 }), seedArb), ([m, n, s]) => {
      const x = normalHost(s, ['b', 'h'], [m, n]);
      const g = normalHost(s + 1, ['h'], [n]);
      const b = normalHost(s + 2, ['h'], [n]);
      const c = normalHost(s + 3, ['b', 'h'], [m, n]);
      p.checkGrads((u: T) => p.variance(u, 'h'), [x]);
      p.checkGrads((u: T, gg: T, bb: T, cc: T) => p.layerNorm(u, 'h', gg, bb, 1e-5).mul(cc), [x, g, b, c], { wrt: [0, 1, 2] });
    });
  });

  it('gelu (erf and tanh forms), relu, sigmoid', () => {
    prop(fc.tuple(dims, seedArb), ([[m, n], s]) => {
      const x = normalHost(s, ['b', 'h'], [m, n], (v) => (Math.abs(v) < 1e-3 ? v + 0.01 : v));
      p.checkGrads((u: T) => p.gelu(u, 'erf'), [x]);
      p.checkGrads((u: T) => p.gelu(u, 'tanh'), [x]);
      p.checkGrads((u: T) => p.relu(u), [x]);
      p.checkGrads((u: T) => u.sigmoid(), [x]);
    });
  });

  it('dropout (fixed key: gradient = mask / (1 - rate))', () => {
    prop(fc.tuple(dims, seedArb), ([[m, n], s]) => {
      const x = normalHost(s, ['b', 'h'], [m, n]);
      p.checkGrads((u: T, k: T) => p.dropout(k as p.KeyTensor, u, 0.3), [x, keyInput(key(s))]);
    });
  });

  it('crossEntropy with a mask and each normaliser; per-position softmaxCrossEntropy', () => {
    prop(fc.tuple(dims, fc.integer({ min: 2, max: 6 }), seedArb), ([[m, n], v, s]) => {
      const logits = normalHost(s, ['b', 't', 'v'], [m, n, v]);
      const labels = intHost(s + 1, ['b', 't'], [m, n], v);
      const maskData = Array.from({ length: m * n }, (_, i) => (i % 3 !== 1 ? 1 : 0));
      const mask = new HostTensor(['b', 't'], [m, n], 'bool', maskData);
      for (const normalizer of ['masked', 'all', 'none'] as const) {
        p.checkGrads((z: T, y: T, mk: T) => p.crossEntropy(z, y, 'v', { mask: mk, normalizer }), [logits, labels, mask]);
      }
      p.checkGrads((z: T, y: T) => p.softmaxCrossEntropy(z, y, 'v'), [logits, labels]);
    });
  });

  it('binary cross-entropy with logits, l2Normalize, cosineSimilarity, klDivergence', () => {
    prop(fc.tuple(dims, seedArb), ([[m, n], s]) => {
      const x = normalHost(s, ['b', 'h'], [m, n], (v) => 2 * v);
      const y = new HostTensor(['b', 'h'], [m, n], 'f32', Array.from({ length: m * n }, (_, i) => (i * 5 + s) % 2));
      const z = normalHost(s + 2, ['b', 'h'], [m, n]);
      p.checkGrads((u: T, t: T) => p.binaryCrossEntropyWithLogits(u, t), [x, y], { wrt: [0] });
      p.checkGrads((u: T, c: T) => p.l2Normalize(u, 'h').mul(c), [x, z], { wrt: [0] });
      p.checkGrads((u: T, w: T) => p.cosineSimilarity(u, w, 'h'), [x, z]);
      p.checkGrads((u: T, w: T) => p.klDivergence(p.logSoftmax(u, 'h'), p.logSoftmax(w, 'h'), 'h'), [x, z]);
    });
  });

  it('multi-head attention with a key padding mask', () => {
    prop(fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 2, max: 4 }), fc.constantFrom(1, 2), seedArb), ([b, t, heads, s]) => {
      const d = 2 * heads;
      const x = normalHost(s, ['batch', 'seq', 'hidden'], [b, t, d]);
      const w = (i: number, axes: string[], shape: number[]) => normalHost(s + 10 + i, axes, shape, (v) => 0.5 * v);
      const params = [
        w(0, ['hidden', 'qkv'], [d, d]), w(1, ['qkv'], [d]), w(2, ['hidden', 'qkv'], [d, d]), w(3, ['qkv'], [d]),
        w(4, ['hidden', 'qkv'], [d, d]), w(5, ['qkv'], [d]), w(6, ['qkv', 'hidden'], [d, d]), w(7, ['hidden'], [d]),
      ];
      const keyMask = new HostTensor(['batch', 'seq'], [b, t], 'bool', Array.from({ length: b * t }, (_, i) => (i % t === t - 1 ? 0 : 1)));
      p.checkGrads(
        (xx: T, mk: T, wq: T, bq: T, wk: T, bk: T, wv: T, bv: T, wo: T, bo: T) =>
          p.multiHeadAttention(xx, { wq, bq, wk, bk, wv, bv, wo, bo } as unknown as p.AttentionParams, { heads, keyMask: mk }),
        [x, keyMask, ...params],
      );
    });
  });

  it('gather and scatterAdd by name (embedding lookup, per-position pick, per-row selection)', () => {
    prop(fc.tuple(dims, fc.integer({ min: 2, max: 5 }), seedArb), ([[m, n], v, s]) => {
      const table = normalHost(s, ['vocab', 'hidden'], [v, 3]);
      const ids = intHost(s + 1, ['b', 't'], [m, n], v);
      p.checkGrads((tb: T, i: T) => p.gather(tb, i, 'vocab'), [table, ids]);
      const h = normalHost(s + 2, ['b', 't', 'hidden'], [m, n, 3]);
      const keep = intHost(s + 3, ['b', 'k'], [m, 2], n);
      p.checkGrads((hh: T, kk: T) => p.gather(hh, kk, 't'), [h, keep]);
      const logits = normalHost(s + 4, ['b', 't', 'v'], [m, n, v]);
      p.checkGrads((z: T, y: T) => p.gather(z, y, 'v'), [logits, ids]);
      const rows = normalHost(s + 5, ['b', 't', 'hidden'], [m, n, 3]);
      p.checkGrads((r: T, i: T) => p.scatterAdd(r, i, 'vocab', v), [rows, ids]);
    });
  });

  it('shape ops by name: split, merge (non-adjacent), slice, pad, concat, expand, squeeze, transpose', () => {
    prop(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), seedArb), ([m, n, s]) => {
      const x = normalHost(s, ['a', 'b', 'c'], [m, 2 * n, 2]);
      p.checkGrads((u: T) => p.split(u, 'b', ['b1', 'b2'], [2, n]).mul(2), [x]);
      p.checkGrads((u: T) => p.merge(u, ['c', 'a'], 'ca'), [x]);
      p.checkGrads((u: T) => p.pad(p.slice(u, 'b', 1, 2 * n), 'c', 1, 2), [x]);
      p.checkGrads((u: T) => p.concat([u, p.transpose(u, ['c', 'b', 'a']).exp()], 'b'), [x]);
      p.checkGrads((u: T) => p.squeeze(p.expand(u, ['z'], [1]), 'z').tanh(), [x]);
    });
  });
});

describe('second order: Hessian-vector products against finite differences of gradients', () => {
  it('layerNorm', () => {
    const x = normalHost(1, ['b', 'h'], [2, 5]);
    const g = normalHost(2, ['h'], [5]);
    const c = normalHost(3, ['b', 'h'], [2, 5]);
    p.checkHvp((u: T, gg: T, cc: T) => p.sumAll(p.layerNorm(u, 'h', gg, undefined, 1e-5).mul(cc).tanh()), [x, g, c], { wrt: [0, 1] });
  });
  it('gelu, both forms', () => {
    const x = normalHost(4, ['b', 'h'], [3, 4]);
    p.checkHvp((u: T) => p.sumAll(p.gelu(u, 'erf').mul(u)), [x]);
    p.checkHvp((u: T) => p.sumAll(p.gelu(u, 'tanh').mul(u)), [x]);
  });
  it('softmax cross-entropy (through its custom VJP)', () => {
    const z = normalHost(5, ['b', 'v'], [3, 6]);
    const y = intHost(6, ['b'], [3], 6);
    p.checkHvp((u: T, l: T) => p.crossEntropy(u, l, 'v'), [z, y]);
  });
  it('attention', () => {
    const d = 4;
    const x = normalHost(7, ['batch', 'seq', 'hidden'], [1, 3, d]);
    const w = (i: number, axes: string[], shape: number[]) => normalHost(20 + i, axes, shape, (v) => 0.5 * v);
    const params = [
      w(0, ['hidden', 'qkv'], [d, d]), w(1, ['qkv'], [d]), w(2, ['hidden', 'qkv'], [d, d]), w(3, ['qkv'], [d]),
      w(4, ['hidden', 'qkv'], [d, d]), w(5, ['qkv'], [d]), w(6, ['qkv', 'hidden'], [d, d]), w(7, ['hidden'], [d]),
    ];
    p.checkHvp(
      (xx: T, wq: T, bq: T, wk: T, bk: T, wv: T, bv: T, wo: T, bo: T) =>
        p.sumAll(p.multiHeadAttention(xx, { wq, bq, wk, bk, wv, bv, wo, bo } as unknown as p.AttentionParams, { heads: 2 }).tanh()),
      [x, ...params],
    );
  });
  it('checkHvp fails on a wrong second derivative (custom VJP with a non-differentiable backward)', () => {
    const x = normalHost(8, ['a'], [4]);
    // backward uses stopGradient: first derivative right, second derivative lost
    const cube = p.customVjp('cube', (u: T) => u.mul(u).mul(u) as T, (g, [u]) => [g.mul(p.stopGradient(u.mul(u).mul(3)))]);
    p.checkGrads((u: T) => cube(u), [x]);
    expect(() => p.checkHvp((u: T) => p.sumAll(cube(u)), [x])).toThrow(p.GradientCheckError);
  });
});

describe('edge cases of composites', () => {
  it('l2Normalize has a finite gradient at the zero vector', () => {
    const zero = new HostTensor(['b', 'h'], [2, 3], 'f32', [0, 0, 0, 1, 2, 3]);
    const g = p.evaluate((u: p.Tensor<readonly ['b', 'h']>) => p.grad((v: p.Tensor<readonly ['b', 'h']>) => p.sumAll(p.l2Normalize(v, 'h')))(u), zero);
    expect(Array.from(g.data).every(Number.isFinite)).toBe(true);
  });
});
