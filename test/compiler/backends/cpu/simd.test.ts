import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../../../compiler/compile.ts';
import * as p from '../../../../dsl/index.ts';
import { HostTensor } from '../../../../dsl/host.ts';
import { intHost, normalHost } from '../../../helpers/arbitraries.ts';
import { expectClose } from '../../../helpers/close.ts';
import { buildProgram, programInputs, randomProgramArb } from '../../randomGraph.ts';

type T = p.Tensor<p.Axes>;

// Arguments spanning every regime of the approximations: tiny, the polynomial ranges, the
// clamps, exp's subnormal and overflow edges, and the IEEE specials.
const sweep = [
  ...Array.from({ length: 2200 }, (_, i) => -110 + i * 0.1),
  ...Array.from({ length: 200 }, (_, i) => (i - 100) * 1e-3),
  0, -0, 1e-30, -1e-8, 1e-40, 88.72, 88.8, -87.3, -88.5, -100, -103.9, -104, 1000, -1000, Infinity, -Infinity, NaN,
];
const padded = (xs: number[]) => [...xs, ...Array((4 - (xs.length % 4)) % 4).fill(1)];
const sweepHost = new HostTensor(['n'], [padded(sweep).length], 'f32', Float32Array.from(padded(sweep)));
// log: powers of ten from the smallest subnormal to near FLT_MAX, both sides of √½ and 1
const logSweep = [
  ...Array.from({ length: 1700 }, (_, i) => 10 ** (-45 + i * 0.05)),
  ...Array.from({ length: 400 }, (_, i) => 0.6 + i * 0.002), 1.4142135, 0.7071067, 1, 0, -0, -1, Infinity, -Infinity, NaN,
];
const logSweepHost = new HostTensor(['n'], [padded(logSweep).length], 'f32', Float32Array.from(padded(logSweep)));

/** Compiled (SIMD on or off) against the float64 interpreter, element by element. */
function expectUnary(f: (t: T) => T, simd: boolean, tolerance: (want: number) => number, what: string, input = sweepHost): void {
  const c = compile(f, [input], { simd });
  expect(c.stats.simdKernels, `${what}: SIMD kernels`).toBe(simd ? 1 : 0);
  const got = c(input).data;
  const want = p.evaluate(f, input).data;
  const args = input.data;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = Math.fround(want[i]!);
    if (Number.isNaN(w)) {
      expect(Number.isNaN(g), `${what}(${args[i]}) is ${g}, want NaN`).toBe(true);
      continue;
    }
    if (g === w) continue;
    if (!(Math.abs(g - w) <= tolerance(w))) throw new Error(`${what}(${args[i]}) = ${g}, reference ${w}`);
  }
}

describe('cpu transcendental approximations (WebAssembly SIMD and JavaScript)', () => {
  for (const simd of [true, false]) {
    const mode = simd ? 'simd' : 'js';
    it(`${mode}: exp within 2 ulp, subnormals and overflow included`, () => {
      expectUnary((t) => t.exp(), simd, (w) => Math.max(2.5e-7 * Math.abs(w), 3e-45), `${mode} exp`);
    });
    it(`${mode}: log within 2 ulp over the float range, subnormals, zero, negatives and Infinity included`, () => {
      expectUnary((t) => t.log(), simd, (w) => 2.5e-7 * Math.abs(w) + 1e-9, `${mode} log`, logSweepHost);
    });
    it(`${mode}: tanh within 3e-7, exactly ±1 far out`, () => {
      expectUnary((t) => t.tanh(), simd, () => 3e-7, `${mode} tanh`);
      const far = new HostTensor(['n'], [4], 'f32', Float32Array.from([20, -20, Infinity, -Infinity]));
      expect(Array.from(compile((t: T) => t.tanh(), [far], { simd })(far).data)).toEqual([1, -1, 1, -1]);
    });
    it(`${mode}: erf within 3e-7, relative accuracy near 0`, () => {
      expectUnary((t) => t.erf(), simd, (w) => Math.max(3e-7 * Math.abs(w), Math.abs(w) < 1e-3 ? 0 : 3e-7), `${mode} erf`);
    });
  }
});

describe('cpu row kernels in WebAssembly SIMD agree with the interpreter', () => {
  const x = normalHost(11, ['b', 't', 'hidden'], [3, 5, 24], (v) => 3 * v);
  const gain = normalHost(12, ['hidden'], [24]);
  const cases: Record<string, (xx: T, g: T) => T> = {
    softmax: (xx) => p.softmax(xx, 'hidden'),
    logSumExp: (xx) => p.logSumExp(xx, 'hidden'),
    layerNorm: (xx, g) => p.layerNorm(xx, 'hidden', g),
    'layerNorm gradient': (xx, g) => p.grad((u: T) => p.meanAll(p.layerNorm(u.tanh(), 'hidden', g).square()))(xx),
    'softmax gradient': (xx) => p.grad((u: T) => p.sumAll(p.softmax(u, 'hidden').mul(u.erf())))(xx),
    // a stored member read back in the same pass: the bug class that poisoned a LayerNorm backward
    'residual LayerNorm stack gradient': (xx, g) =>
      p.grad((u: T) => {
        let h = u;
        for (let i = 0; i < 3; i++) h = p.layerNorm(h.add(p.gelu(h.mul(g))), 'hidden');
        return p.meanAll(h.square());
      })(xx),
  };
  for (const [name, f] of Object.entries(cases)) {
    it(name, () => {
      const c = compile(f, [x, gain], { simd: true, poisonFreedBuffers: true });
      expect(c.stats.simdKernels).toBeGreaterThan(0);
      expectClose(c(x, gain), p.evaluate(f, x, gain), name, 1e-3, 1e-5);
    });
  }

  it('cross-entropy over a vocabulary (integer labels alongside)', () => {
    const logits = normalHost(13, ['b', 'vocab'], [6, 32]);
    const labels = intHost(14, ['b'], [6], 32);
    const f = (z: T, y: T) => p.grad((u: T) => p.crossEntropy(u, y, 'vocab'))(z);
    const c = compile(f, [logits, labels], { simd: true });
    expect(c.stats.simdKernels).toBeGreaterThan(0);
    expectClose(c(logits, labels), p.evaluate(f, logits, labels), 'cross-entropy gradient', 1e-3, 1e-6);
  });
});

describe('cpu column kernels (sums over leading axes) in WebAssembly SIMD agree with the interpreter', () => {
  // bias and LayerNorm-gain gradients: reductions over batch and sequence, the kept axis innermost
  const x = normalHost(21, ['b', 't', 'hidden'], [7, 9, 24], (v) => 2 * v);
  const y = normalHost(22, ['b', 't', 'hidden'], [7, 9, 24]);
  const cases: Record<string, (xx: T, yy: T) => T | T[]> = {
    'sum over two leading axes, one kept axis': (xx) => p.sum(xx, ['b', 't']),
    'three stages in one pass: sum, sum of a product, max': (xx, yy) => [p.sum(xx, ['b', 't']), p.sum(xx.mul(yy), ['b', 't']), p.max(xx.sub(yy), ['b', 't'])],
    'one leading axis, two kept axes': (xx, yy) => [p.sum(xx.mul(yy).exp(), 'b'), p.max(yy, 'b')],
    'bias and gain gradients of a dense layer with LayerNorm': (xx, yy) =>
      p.grad((g: T) => p.meanAll(p.layerNorm(xx, 'hidden', g).mul(yy).tanh()))(p.ones(['hidden'], [24]) as T),
  };
  for (const [name, f] of Object.entries(cases)) {
    it(name, () => {
      const c = compile(f, [x, y], { simd: true, poisonFreedBuffers: true });
      expect(c.stats.simdKernels).toBeGreaterThanOrEqual(1);
      const got = c(x, y) as unknown as HostTensor | HostTensor[];
      const want = p.evaluate(f, x, y) as unknown as HostTensor | HostTensor[];
      if (Array.isArray(got)) got.forEach((g, j) => expectClose(g, (want as HostTensor[])[j]!, `${name}: output ${j}`, 1e-4, 1e-5));
      else expectClose(got, want as HostTensor, name, 1e-4, 1e-5);
    });
  }

  it('large enough to be split across the worker threads', () => {
    const a = normalHost(23, ['b', 't', 'hidden'], [64, 64, 40]);
    const f = (xx: T) => [p.sum(xx, ['b', 't']), p.max(xx.square(), ['b', 't']), p.sum(xx, 'b')];
    const c = compile(f, [a], { simd: true });
    expect(c.stats.simdKernels).toBe(2);
    const got = c(a) as unknown as HostTensor[];
    const want = p.evaluate(f, a) as unknown as HostTensor[];
    got.forEach((g, j) => expectClose(g, want[j]!, `output ${j}`, 1e-4, 1e-4));
  });

  it('a NaN in a column reaches its max and its sum', () => {
    const data = Float32Array.from(x.data);
    data[5 * 24 + 3] = NaN;
    const withNaN = new HostTensor(['b', 't', 'hidden'], [7, 9, 24], 'f32', data);
    const f = (xx: T) => [p.sum(xx, ['b', 't']), p.max(xx, ['b', 't'])];
    const [sum, max] = compile(f, [withNaN], { simd: true })(withNaN) as unknown as HostTensor[];
    for (const out of [sum!, max!]) {
      expect(Number.isNaN(out.data[3]!)).toBe(true);
      expect(Array.from(out.data).filter(Number.isNaN)).toHaveLength(1);
    }
  });
});

describe('cpu SIMD kernels read through reshapes of the innermost axis', () => {
  // attention heads merged back into the hidden axis: hidden = h·d reads x[b, h, s, d] at
  // (hidden / d, hidden % d), contiguous within each group of d when d is a multiple of 4
  const merged = (x: T) => {
    const moved = p.transpose(x as p.Tensor<['b', 'h', 's', 'd']>, ['b', 's', 'h', 'd'] as const);
    const hidden = p.merge(moved, ['h', 'd'] as const, 'hidden');
    return [hidden.mul(1.5).add(0.25), p.sum(hidden.square(), ['b', 's'])];
  };
  for (const [d, vectorised] of [[8, true], [64, true], [6, false]] as const) {
    it(`head size ${d}: ${vectorised ? 'vectorised' : 'left to JavaScript (not a multiple of 4)'}, equal to the interpreter`, () => {
      const x = normalHost(31, ['b', 'h', 's', 'd'], [3, 4, 5, d]);
      const f = merged;
      const c = compile(f, [x], { simd: true, poisonFreedBuffers: true });
      if (vectorised) expect(c.stats.simdKernels).toBe(c.stats.kernels);
      else expect(c.stats.simdKernels).toBe(0);
      const got = c(x) as unknown as HostTensor[];
      const want = p.evaluate(f, x) as unknown as HostTensor[];
      got.forEach((g, j) => expectClose(g, want[j]!, `output ${j}`, 1e-5, 1e-6));
    });
  }
});

describe('cpu transposing copies in WebAssembly SIMD (4x4 tiles) equal the interpreter exactly', () => {
  type Case = { shape: number[]; f: (x: T) => T; vectorised: boolean };
  const cases: Record<string, Case> = {
    'a matrix transpose (threads split the axis read contiguously, in fours)': { shape: [8, 12], f: (x) => p.transpose(x as p.Tensor<['a', 'b']>, ['b', 'a'] as const), vectorised: true },
    'keys for QKᵀ: [b, s, h, d] -> [b, h, d, s]': { shape: [2, 8, 3, 12], f: (x) => p.transpose(x as p.Tensor<['b', 's', 'h', 'd']>, ['b', 'h', 'd', 's'] as const), vectorised: true },
    'heads split off the hidden axis, then transposed: [b, s, h·d] -> [b, h, d, s]': {
      shape: [2, 8, 24],
      f: (x) => p.transpose(p.split(x as p.Tensor<['b', 's', 'hidden']>, 'hidden', ['h', 'd'], [3, 8]), ['b', 'h', 'd', 's'] as const),
      vectorised: true,
    },
    'large enough for the worker threads (axis 0 is not the contiguous one)': { shape: [16, 96, 128], f: (x) => p.transpose(x as p.Tensor<['a', 'b', 'c']>, ['a', 'c', 'b'] as const), vectorised: true },
    'large enough for the worker threads (axis 0 is the contiguous one)': { shape: [384, 512], f: (x) => p.transpose(x as p.Tensor<['a', 'b']>, ['b', 'a'] as const), vectorised: true },
    'the contiguous axis is not a multiple of 4: JavaScript': { shape: [6, 12], f: (x) => p.transpose(x as p.Tensor<['a', 'b']>, ['b', 'a'] as const), vectorised: false },
  };
  for (const [name, { shape, f, vectorised }] of Object.entries(cases)) {
    it(name, () => {
      const axes = ['a', 'b', 'c', 'd'].slice(0, shape.length);
      const names = shape.length === 4 ? ['b', 's', 'h', 'd'] : shape.length === 3 && name.startsWith('heads') ? ['b', 's', 'hidden'] : axes;
      const x = normalHost(41, names, shape);
      // the output, a transposed view of the input, is materialised by one copy kernel
      const c = compile(f, [x], { simd: true, poisonFreedBuffers: true });
      expect(c.stats.kernels).toBe(1);
      expect(c.stats.simdKernels).toBe(vectorised ? 1 : 0);
      const got = c(x).data;
      const want = p.evaluate(f, x).data;
      const first = got.findIndex((v, i) => v !== Math.fround(want[i]!)); // not toEqual: its diff of 200k values takes minutes
      expect(first, first >= 0 ? `element ${first}: ${got[first]} instead of ${want[first]}` : '').toBe(-1);
    });
  }
});

describe('random graphs with SIMD-width axes agree with the interpreter', () => {
  const sizes = fc.constantFrom(4, 8);

  it('forward values', () => {
    let vectorised = 0;
    fc.assert(
      fc.property(randomProgramArb(10, sizes), (prog) => {
        const { floats, ints, key } = programInputs(prog);
        const fn = buildProgram(prog);
        const f = (xs: T[], i: T, k: T) => fn(xs, i, k as p.KeyTensor);
        const compiled = compile(f, [floats, ints, key], { simd: true, poisonFreedBuffers: true });
        if ((compiled.stats.simdKernels ?? 0) > 0) vectorised++;
        const got = compiled(floats, ints, key) as unknown as HostTensor[];
        const want = p.evaluate(f, floats, ints, key) as unknown as HostTensor[];
        got.forEach((g, j) => expectClose(g, want[j]!, `output ${j}`));
      }),
      { numRuns: 80, seed: 4242 },
    );
    expect(vectorised).toBeGreaterThan(40);
  });

  it('value and gradient programs', () => {
    let vectorised = 0;
    fc.assert(
      fc.property(randomProgramArb(7, sizes), (prog) => {
        const { floats, ints, key } = programInputs(prog);
        const fn = buildProgram(prog);
        const loss = (xs: T[], i: T, k: T) =>
          fn(xs, i, k as p.KeyTensor).reduce((acc: p.Tensor<[]>, o, j) => acc.add(p.sumAll(o.tanh().mul(j + 1))) as p.Tensor<[]>, p.scalar(0));
        const f = (xs: T[], i: T, k: T) => p.valueAndGrad(loss)(xs, i, k);
        const compiled = compile(f, [floats, ints, key], { simd: true, poisonFreedBuffers: true });
        if ((compiled.stats.simdKernels ?? 0) > 0) vectorised++;
        const got = compiled(floats, ints, key) as unknown as { value: HostTensor; grads: HostTensor[] };
        const want = p.evaluate(f, floats, ints, key) as unknown as { value: HostTensor; grads: HostTensor[] };
        expectClose(got.value, want.value, 'loss', 2e-4, 1e-3);
        got.grads.forEach((g, j) => expectClose(g, want.grads[j]!, `grad ${j}`, 1e-3, 1e-3));
      }),
      { numRuns: 60, seed: 777 },
    );
    expect(vectorised).toBeGreaterThan(30);
  });
});

describe('JavaScript and WebAssembly SIMD kernels round the same way', () => {
  // Correctly rounded float32 ops (+ − × ÷ √, max, min, neg, abs) must give the same bits on both
  // paths: a value one kernel stores and another recomputes is compared for equality (max's mask).
  type Op = { readonly op: 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'sqrt' | 'neg' | 'abs' | 'scale'; readonly a: number; readonly b: number; readonly c: number };
  const opArb = fc.record({
    op: fc.constantFrom('add', 'sub', 'mul', 'div', 'max', 'min', 'sqrt', 'neg', 'abs', 'scale' as const),
    a: fc.nat(), b: fc.nat(), c: fc.double({ min: -3, max: 3, noNaN: true }),
  }) as fc.Arbitrary<Op>;
  const chain = (ops: readonly Op[]) => (x: T, y: T): T => {
    const vals: T[] = [x, y];
    for (const o of ops) {
      const a = vals[o.a % vals.length]!, b = vals[o.b % vals.length]!;
      const v = o.op === 'sqrt' ? a.abs().sqrt() : o.op === 'neg' ? a.neg() : o.op === 'abs' ? a.abs() : o.op === 'scale' ? a.mul(o.c).add(o.c / 7)
        : o.op === 'div' ? a.div(b.abs().add(0.5)) : o.op === 'max' ? a.maximum(b) : o.op === 'min' ? a.minimum(b) : a[o.op](b);
      vals.push(v);
    }
    return vals[vals.length - 1]!;
  };

  it('elementwise chains give bit-identical results', () => {
    const x = normalHost(11, ['b', 'h'], [16, 32]);
    const y = normalHost(12, ['b', 'h'], [16, 32]);
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 2, maxLength: 12 }), (ops) => {
        const f = chain(ops);
        const simd = compile(f, [x, y], { simd: true });
        const js = compile(f, [x, y], { simd: false });
        expect(simd.stats.simdKernels).toBe(1);
        expect(Array.from(js(x, y).data)).toEqual(Array.from(simd(x, y).data));
      }),
      { numRuns: 60, seed: 99 },
    );
  });
});
