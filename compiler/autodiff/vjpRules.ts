import type { Node } from '../ir/node.ts';
import * as ir from '../ir/ops.ts';
import type { Prim, PrimParams } from '../ir/primitives.ts';

/**
 * The VJP of one primitive: given the node, its output cotangent g and which inputs need a
 * cotangent, returns one cotangent per input (null = zero). Rules are written with graph ops, so
 * gradients are differentiable again (Hessian-vector products).
 */
type VjpRule<P extends Prim> = (node: Node<P>, g: Node, needs: readonly boolean[]) => readonly (Node | null)[];

const none: VjpRule<Prim> = (node) => node.inputs.map(() => null);
const x0 = (n: Node) => n.inputs[0]!;
const x1 = (n: Node) => n.inputs[1]!;
const P = <Q extends Prim>(n: Node<Q>) => n.params as PrimParams[Q];

/** Moves the axes of a dot result back to an operand's layout (see the dot rule). */
function dotOperandGrad(
  g: Node,
  other: Node,
  gContract: readonly number[],
  otherContract: readonly number[],
  nBatch: number,
  otherBatch: readonly number[],
  resultToOperandAxis: readonly number[],
): Node {
  const r = ir.dot(g, other, [gContract, otherContract], [Array.from({ length: nBatch }, (_, i) => i), otherBatch]);
  return ir.transpose(r, ir.inversePermutation(resultToOperandAxis));
}

const dotRule: VjpRule<'dot'> = (node, g, needs) => {
  const [a, b] = node.inputs as [Node, Node];
  const { contract: [ca, cb], batch: [ba, bb] } = P(node);
  const nb = ba.length;
  const freeA = a.shape.map((_, i) => i).filter((i) => !ca.includes(i) && !ba.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !cb.includes(i) && !bb.includes(i));
  const gFreeA = freeA.map((_, k) => nb + k);
  const gFreeB = freeB.map((_, k) => nb + freeA.length + k);
  let ga: Node | null = null;
  let gb: Node | null = null;
  if (needs[0]) {
    // g (.) b over b's free axes -> [batch, freeA, b's contracted axes in b order]
    const cbSorted = [...cb].sort((p, q) => p - q);
    const map = [...ba, ...freeA, ...cbSorted.map((bax) => ca[cb.indexOf(bax)]!)];
    ga = dotOperandGrad(g, b, gFreeB, freeB, nb, bb, map);
  }
  if (needs[1]) {
    const caSorted = [...ca].sort((p, q) => p - q);
    const map = [...bb, ...freeB, ...caSorted.map((aax) => cb[ca.indexOf(aax)]!)];
    gb = dotOperandGrad(g, a, gFreeA, freeA, nb, ba, map);
  }
  return [ga, gb];
};

const f = (x: Node, v: number) => ir.full(x, v);

/** VJP rules for every primitive (a total table: forgetting one is a type error). */
export const vjpRules: { [Q in Prim]: VjpRule<Q> } = {
  neg: (_n, g) => [ir.neg(g)],
  exp: (n, g) => [ir.mul(g, n)],
  log: (n, g) => [ir.div(g, x0(n))],
  log1p: (n, g) => [ir.div(g, ir.shift(x0(n), 1))],
  sqrt: (n, g) => [ir.div(g, ir.scale(n, 2))],
  rsqrt: (n, g) => [ir.mul(g, ir.scale(ir.div(n, x0(n)), -0.5))],
  tanh: (n, g) => [ir.mul(g, ir.sub(f(n, 1), ir.mul(n, n)))],
  erf: (n, g) => {
    const x = x0(n);
    return [ir.mul(g, ir.scale(ir.exp(ir.neg(ir.mul(x, x))), 2 / Math.sqrt(Math.PI)))];
  },
  abs: (n, g) => [ir.mul(g, ir.sign(x0(n)))],
  sign: none,
  reciprocal: (n, g) => [ir.neg(ir.mul(g, ir.mul(n, n)))],
  sin: (n, g) => [ir.mul(g, ir.cos(x0(n)))],
  cos: (n, g) => [ir.neg(ir.mul(g, ir.sin(x0(n))))],
  not: none,

  add: (_n, g) => [g, g],
  sub: (_n, g) => [g, ir.neg(g)],
  mul: (n, g, needs) => [needs[0] ? ir.mul(g, x1(n)) : null, needs[1] ? ir.mul(g, x0(n)) : null],
  div: (n, g, needs) => [
    needs[0] ? ir.div(g, x1(n)) : null,
    needs[1] ? ir.neg(ir.div(ir.mul(g, n), x1(n))) : null,
  ],
  pow: (n, g, needs) => {
    const [a, b] = [x0(n), x1(n)];
    return [
      needs[0] ? ir.mul(g, ir.mul(b, ir.binary('pow', a, ir.shift(b, -1)))) : null,
      // d/db a^b = a^b ln a; taken as 0 where a <= 0 (0^b is flat in b for b > 0)
      needs[1] ? ir.mul(g, ir.mul(n, ir.select(ir.binary('gt', a, f(a, 0)), ir.log(a), f(a, 0)))) : null,
    ];
  },
  max: (n, g) => {
    // ties split the gradient equally, like JAX
    const [a, b] = [x0(n), x1(n)];
    const wa = ir.select(ir.binary('gt', a, b), f(a, 1), ir.select(ir.binary('eq', a, b), f(a, 0.5), f(a, 0)));
    return [ir.mul(g, wa), ir.mul(g, ir.sub(f(a, 1), wa))];
  },
  min: (n, g) => {
    const [a, b] = [x0(n), x1(n)];
    const wa = ir.select(ir.binary('lt', a, b), f(a, 1), ir.select(ir.binary('eq', a, b), f(a, 0.5), f(a, 0)));
    return [ir.mul(g, wa), ir.mul(g, ir.sub(f(a, 1), wa))];
  },
  mod: none,
  lt: none, le: none, gt: none, ge: none, eq: none, ne: none,
  and: none, or: none, xor: none, shl: none, shr: none,

  select: (n, g) => {
    const c = x0(n);
    const z = ir.zerosLike(g);
    return [null, ir.select(c, g, z), ir.select(c, z, g)];
  },
  cast: (n, g) => [x0(n).dtype === 'f32' && n.dtype === 'f32' ? g : null],

  reduceSum: (n, g) => [ir.unreduce(g, x0(n).shape, P(n).axes)],
  reduceMax: (n, g) => {
    // the gradient goes to the maxima, shared equally among ties
    const x = x0(n);
    const { axes } = P(n);
    const isMax = ir.cast(ir.binary('eq', x, ir.unreduce(n, x.shape, axes)), x.dtype);
    const count = ir.reduceSum(isMax, axes);
    return [ir.mul(ir.unreduce(ir.div(g, count), x.shape, axes), isMax)];
  },
  argmax: none,
  dot: dotRule,

  broadcast: (n, g) => {
    const { shape, dims } = P(n);
    return [ir.reduceSum(g, shape.map((_, i) => i).filter((i) => !dims.includes(i)))];
  },
  reshape: (n, g) => [ir.reshape(g, x0(n).shape)],
  transpose: (n, g) => [ir.transpose(g, ir.inversePermutation(P(n).perm))],
  slice: (n, g) => {
    const { starts, ends } = P(n);
    return [ir.pad(g, starts, x0(n).shape.map((d, i) => d - ends[i]!))];
  },
  pad: (n, g) => {
    const { lo } = P(n);
    const x = x0(n);
    return [ir.slice(g, lo, lo.map((l, i) => l + x.shape[i]!))];
  },
  concat: (n, g, needs) => {
    const { axis } = P(n);
    let offset = 0;
    return n.inputs.map((x, i) => {
      const starts = x.shape.map((_, k) => (k === axis ? offset : 0));
      const ends = x.shape.map((d, k) => (k === axis ? offset + d : g.shape[k]!));
      offset += x.shape[axis]!;
      return needs[i] ? ir.slice(g, starts, ends) : null;
    });
  },
  gather: (n, g) => {
    const { axis, batchDims, site } = P(n);
    return [ir.scatterAdd(g, x1(n), axis, batchDims, x0(n).shape[axis]!, site), null];
  },
  scatterAdd: (n, g) => {
    const { axis, batchDims, site } = P(n);
    return [ir.gather(g, x1(n), axis, batchDims, site), null];
  },

  iota: none,
  constant: none,
  literal: none,
  randomBits: none,
  input: none,
  stopGradient: none,
  customVjp: (n, g) => {
    const [, ...primals] = n.inputs;
    return [null, ...P(n).backward(g, primals, n)];
  },
};
