import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topoOrder } from '../../compiler/interpreter/interpret.ts';
import type { Node } from '../../compiler/ir/node.ts';
import * as ir from '../../compiler/ir/ops.ts';
import type { Prim } from '../../compiler/ir/primitives.ts';
import { ALL_PRIMS } from '../../compiler/ir/primitives.ts';
import { HostTensor } from '../../dsl/host.ts';
import { Tensor } from '../../dsl/tensor.ts';
import { GradientCheckError, checkGrads } from '../../dsl/testing/checkGrads.ts';
import { evaluate } from '../../dsl/trace.ts';
import { grad } from '../../dsl/grad.ts';
import { axesFor, intHost, normalHost, seedArb, shapeArb } from '../helpers/arbitraries.ts';

/** A gradient-check case: fn over positional nodes (wrapped as tensors) and its arguments. */
interface GradCase {
  readonly fn: (...args: Node[]) => Node;
  readonly args: HostTensor[];
}

const T = (n: Node): Tensor => new Tensor(n, axesFor(n.shape.length));
const positive = (v: number) => Math.abs(v) + 0.5;
const awayFromZero = (v: number) => (v < 0 ? v - 0.5 : v + 0.5);

const unaryCase = (op: Parameters<typeof ir.unary>[0], transform?: (v: number) => number) =>
  fc.tuple(shapeArb(0, 3), seedArb).map(([shape, seed]): GradCase => ({
    fn: (x) => ir.unary(op, x),
    args: [normalHost(seed, axesFor(shape.length), shape, transform)],
  }));

const binaryCase = (op: Parameters<typeof ir.binary>[0], ta?: (v: number) => number, tb?: (v: number) => number) =>
  fc.tuple(shapeArb(0, 3), seedArb).map(([shape, seed]): GradCase => ({
    fn: (a, b) => ir.binary(op, a, b),
    args: [normalHost(seed, axesFor(shape.length), shape, ta), normalHost(seed + 1, axesFor(shape.length), shape, tb)],
  }));

/** A random subset of 0..n-1 (sorted). */
const subsetArb = (n: number) => fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((bs) => bs.flatMap((b, i) => (b ? [i] : [])));
const permArb = (n: number) =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }).map((ks) => ks.map((_, i) => i).sort((a, b) => ks[a]! - ks[b]!));

const dotCase = fc
  .record({
    nb: fc.integer({ min: 0, max: 1 }),
    nfa: fc.integer({ min: 0, max: 2 }),
    nfb: fc.integer({ min: 0, max: 2 }),
    nc: fc.integer({ min: 1, max: 2 }),
    sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 7, maxLength: 7 }),
    pa: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
    pb: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
    seed: seedArb,
  })
  .map(({ nb, nfa, nfb, nc, sizes, pa, pb, seed }): GradCase => {
    // logical axes: batch, freeA, freeB, contract — each with a size; operands list theirs in random order
    const batch = sizes.slice(0, nb);
    const fa = sizes.slice(1, 1 + nfa);
    const fb = sizes.slice(3, 3 + nfb);
    const c = sizes.slice(5, 5 + nc);
    const aLogical = [...batch.map((_, i) => `b${i}`), ...fa.map((_, i) => `fa${i}`), ...c.map((_, i) => `c${i}`)];
    const bLogical = [...batch.map((_, i) => `b${i}`), ...c.map((_, i) => `c${i}`), ...fb.map((_, i) => `fb${i}`)];
    const sizeOf: Record<string, number> = {};
    batch.forEach((s, i) => (sizeOf[`b${i}`] = s));
    fa.forEach((s, i) => (sizeOf[`fa${i}`] = s));
    fb.forEach((s, i) => (sizeOf[`fb${i}`] = s));
    c.forEach((s, i) => (sizeOf[`c${i}`] = s));
    const order = (names: string[], keys: number[]) => names.map((_, i) => i).sort((x, y) => keys[x]! - keys[y]!).map((i) => names[i]!);
    const aAxes = order(aLogical, pa);
    const bAxes = order(bLogical, pb);
    const contract: [number[], number[]] = [c.map((_, i) => aAxes.indexOf(`c${i}`)), c.map((_, i) => bAxes.indexOf(`c${i}`))];
    const batchDims: [number[], number[]] = [batch.map((_, i) => aAxes.indexOf(`b${i}`)), batch.map((_, i) => bAxes.indexOf(`b${i}`))];
    return {
      fn: (a, b) => ir.dot(a, b, contract, batchDims),
      args: [
        normalHost(seed, axesFor(aAxes.length), aAxes.map((n) => sizeOf[n]!)),
        normalHost(seed + 7, axesFor(bAxes.length), bAxes.map((n) => sizeOf[n]!)),
      ],
    };
  });

const gatherCase = fc
  .record({ shape: shapeArb(1, 3), idxShape: shapeArb(0, 2), seed: seedArb, axisKey: fc.nat(), batchKey: fc.nat() })
  .map(({ shape, idxShape, seed, axisKey, batchKey }): GradCase => {
    const batchDims = Math.min(batchKey % 2, shape.length - 1, idxShape.length);
    const axis = batchDims + (axisKey % (shape.length - batchDims));
    const iShape = [...shape.slice(0, batchDims), ...idxShape.slice(batchDims)];
    const idx = intHost(seed + 3, axesFor(iShape.length), iShape, shape[axis]!);
    return { fn: (x, i) => ir.gather(x, i, axis, batchDims), args: [normalHost(seed, axesFor(shape.length), shape), idx] };
  });

/** Every primitive with a gradient. A new differentiable primitive must add its case here (type error otherwise). */
type NonDifferentiable =
  | 'sign' | 'not' | 'mod' | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne' | 'and' | 'or' | 'xor' | 'shl' | 'shr'
  | 'argmax' | 'iota' | 'constant' | 'literal' | 'randomBits' | 'input'
  | 'stopGradient' | 'customVjp'; // these two change gradients on purpose: tested separately below
type Differentiable = Exclude<Prim, NonDifferentiable>;

const cases: { [P in Differentiable]: fc.Arbitrary<GradCase> } = {
  neg: unaryCase('neg'),
  exp: unaryCase('exp'),
  log: unaryCase('log', positive),
  log1p: unaryCase('log1p', (v) => Math.abs(v)),
  sqrt: unaryCase('sqrt', positive),
  rsqrt: unaryCase('rsqrt', positive),
  tanh: unaryCase('tanh'),
  erf: unaryCase('erf'),
  abs: unaryCase('abs', awayFromZero),
  reciprocal: unaryCase('reciprocal', awayFromZero),
  sin: unaryCase('sin'),
  cos: unaryCase('cos'),
  add: binaryCase('add'),
  sub: binaryCase('sub'),
  mul: binaryCase('mul'),
  div: binaryCase('div', undefined, awayFromZero),
  pow: binaryCase('pow', positive, (v) => v * 0.7),
  max: binaryCase('max'),
  min: binaryCase('min'),
  select: fc.tuple(shapeArb(0, 3), seedArb).map(([shape, seed]): GradCase => {
    const n = shape.reduce((a, b) => a * b, 1);
    const cond = new HostTensor(axesFor(shape.length), shape, 'bool', Array.from({ length: n }, (_, i) => ((i * 7 + seed) % 3 === 0 ? 1 : 0)));
    return { fn: (c, a, b) => ir.select(c, a, b), args: [cond, normalHost(seed, axesFor(shape.length), shape), normalHost(seed + 1, axesFor(shape.length), shape)] };
  }),
  // cast to a non-float has no gradient: x * f32(x > 0) is relu, whose gradient is the step
  cast: fc.tuple(shapeArb(0, 3), seedArb).map(([shape, seed]): GradCase => ({
    fn: (x) => ir.mul(x, ir.cast(ir.binary('gt', x, ir.zerosLike(x)), 'f32')),
    args: [normalHost(seed, axesFor(shape.length), shape, awayFromZero)],
  })),
  reduceSum: fc.tuple(shapeArb(1, 3), seedArb).chain(([shape, seed]) =>
    subsetArb(shape.length).map((axes): GradCase => ({ fn: (x) => ir.reduceSum(x, axes), args: [normalHost(seed, axesFor(shape.length), shape)] })),
  ),
  reduceMax: fc.tuple(shapeArb(1, 3), seedArb).chain(([shape, seed]) =>
    subsetArb(shape.length).map((axes): GradCase => ({ fn: (x) => ir.reduceMax(x, axes), args: [normalHost(seed, axesFor(shape.length), shape)] })),
  ),
  dot: dotCase,
  broadcast: fc.tuple(shapeArb(0, 2), shapeArb(1, 2), seedArb, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 })).map(
    ([shape, extra, seed, where]): GradCase => {
      // interleave new axes among the operand's axes
      const out: number[] = [];
      const dims: number[] = [];
      let e = 0;
      shape.forEach((d, i) => {
        if (where[i] && e < extra.length) out.push(extra[e++]!);
        dims.push(out.length);
        out.push(d);
      });
      while (e < extra.length) out.push(extra[e++]!);
      return { fn: (x) => ir.broadcast(x, out, dims), args: [normalHost(seed, axesFor(shape.length), shape)] };
    },
  ),
  reshape: fc.tuple(shapeArb(1, 3), seedArb).map(([shape, seed]): GradCase => {
    const n = shape.reduce((a, b) => a * b, 1);
    const last = shape[shape.length - 1]!;
    return { fn: (x) => ir.reshape(x, shape.length > 1 ? [n / last, last] : [1, n]), args: [normalHost(seed, axesFor(shape.length), shape)] };
  }),
  transpose: fc.tuple(shapeArb(1, 4), seedArb).chain(([shape, seed]) =>
    permArb(shape.length).map((perm): GradCase => ({ fn: (x) => ir.transpose(x, perm), args: [normalHost(seed, axesFor(shape.length), shape)] })),
  ),
  slice: fc.tuple(shapeArb(1, 3), seedArb, fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 3, maxLength: 3 })).map(
    ([shape, seed, cuts]): GradCase => {
      const starts = shape.map((d, i) => cuts[i]![0] % d);
      const ends = shape.map((d, i) => starts[i]! + 1 + (cuts[i]![1] % (d - starts[i]!)));
      return { fn: (x) => ir.slice(x, starts, ends), args: [normalHost(seed, axesFor(shape.length), shape)] };
    },
  ),
  pad: fc.tuple(shapeArb(1, 3), seedArb, fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 })).map(
    ([shape, seed, p]): GradCase => ({
      fn: (x) => ir.pad(x, shape.map((_, i) => p[i]!), shape.map((_, i) => p[i + 3]!)),
      args: [normalHost(seed, axesFor(shape.length), shape)],
    }),
  ),
  concat: fc.tuple(shapeArb(1, 3), seedArb, fc.nat(), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 })).map(
    ([shape, seed, axisKey, sizes]): GradCase => {
      const axis = axisKey % shape.length;
      const shapes = sizes.map((s) => shape.map((d, i) => (i === axis ? s : d)));
      return { fn: (...xs) => ir.concat(xs, axis), args: shapes.map((s, k) => normalHost(seed + k, axesFor(s.length), s)) };
    },
  ),
  gather: gatherCase,
  scatterAdd: gatherCase.map(({ fn, args }): GradCase => {
    // scatterAdd is gather's transpose: scatter updates shaped like gather's output
    const [x, idx] = args as [HostTensor, HostTensor];
    const gNode = fn(ir.input('x', x.shape, 'f32'), ir.input('i', idx.shape, 'i32'));
    const { axis, batchDims } = gNode.params as { axis: number; batchDims: number };
    const upd = normalHost(11, axesFor(gNode.shape.length), gNode.shape);
    return { fn: (u, i) => ir.scatterAdd(u, i, axis, batchDims, x.shape[axis]!), args: [upd, idx] };
  }),
};

function usesOp(c: GradCase, op: Prim): boolean {
  const inputs = c.args.map((a, i) => ir.input(`a${i}`, a.shape, a.dtype));
  return topoOrder([c.fn(...inputs)]).some((n) => n.op === op);
}

describe('gradients of every differentiable primitive match float64 finite differences', () => {
  it('the table covers exactly the primitives that are not declared non-differentiable', () => {
    const listed = new Set(Object.keys(cases));
    const nonDiff = ALL_PRIMS.filter((p) => !listed.has(p));
    expect(nonDiff.sort()).toEqual(
      ['sign', 'not', 'mod', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or', 'xor', 'shl', 'shr', 'argmax', 'iota', 'constant', 'literal', 'randomBits', 'input', 'stopGradient', 'customVjp'].sort(),
    );
  });

  for (const [op, arb] of Object.entries(cases) as [Differentiable, fc.Arbitrary<GradCase>][]) {
    it(op, () => {
      fc.assert(
        fc.property(arb, (c) => {
          // degenerate draws (identity transpose, empty reduction...) simplify the op away: skip them
          fc.pre(usesOp(c, op));
          checkGrads((...xs) => T(c.fn(...xs.map((t) => t.node))), c.args, { trials: 1 });
        }),
        { numRuns: 12, seed: 42, maxSkipsPerRun: 20 },
      );
    });
  }
});

describe('gradient control', () => {
  it('stopGradient blocks the gradient: d/dx [x * stop(x)] = stop(x), not 2x', () => {
    const x = normalHost(3, ['a'], [5]);
    const g = evaluate((t: Tensor<readonly ['a']>) => grad((u: Tensor<readonly ['a']>) => u.mul(new Tensor(ir.stopGradient(u.node), u.axes)).sumAll())(t), x);
    expect(Array.from(g.data)).toEqual(Array.from(x.data));
  });

  it('customVjp uses the given backward, and checkGrads catches a wrong one', () => {
    const square = (wrong: boolean) => (x: Tensor) => {
      const out = ir.mul(x.node, x.node);
      const node = ir.customVjp('square', out, [x.node], (g, [p]) => [ir.mul(g, ir.scale(p!, wrong ? 3 : 2))]);
      return new Tensor(node, x.axes);
    };
    const x = normalHost(4, ['a', 'b'], [2, 3]);
    checkGrads(square(false), [x]);
    expect(() => checkGrads(square(true), [x])).toThrow(GradientCheckError);
  });
});
