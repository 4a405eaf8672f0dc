import { makeNode } from './build.ts';
import type { DType } from './dtype.ts';
import { Node } from './node.ts';
import { type Prim, type PrimParams, isBinary, isUnary } from './primitives.ts';
import { binaryScalar, castScalar, unaryScalar, wrap } from './scalarOps.ts';

const constValue = (n: Node): number | undefined => (n.op === 'constant' ? (n.params as PrimParams['constant']).value : undefined);
const isConst = (n: Node, v: number): boolean => constValue(n) === v;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function constant(value: number, shape: readonly number[], dtype: DType): Node {
  return makeNode('constant', [], { value: wrap(dtype, value), shape, dtype });
}

/**
 * Algebraic simplification applied as nodes are built: constant folding of splat constants,
 * identities (x+0, x*1, x*0 -> 0, reshape of reshape...). Returns the simpler node, or undefined.
 * Note x*0 folds to 0 even if x could be NaN or infinite: this is what makes symbolic zeros in
 * autodiff free, and matches what users of gradients expect.
 */
export function simplify(op: Prim, inputs: readonly Node[], params: unknown, shape: readonly number[], dtype: DType): Node | undefined {
  const [a, b] = inputs as [Node, Node];
  if ((isUnary(op) || isBinary(op) || op === 'cast') && inputs.every((i) => i.op === 'constant')) {
    const vals = inputs.map((i) => constValue(i)!);
    const v = isUnary(op)
      ? unaryScalar(op, a.dtype)(vals[0]!)
      : isBinary(op)
        ? binaryScalar(op, a.dtype)(vals[0]!, vals[1]!)
        : castScalar(dtype)(vals[0]!);
    return constant(v, shape, dtype);
  }
  switch (op) {
    case 'add':
      if (isConst(b, 0)) return a;
      if (isConst(a, 0)) return b;
      return undefined;
    case 'sub':
      if (isConst(b, 0)) return a;
      if (isConst(a, 0) && dtype !== 'bool') return makeNode('neg', [b], {});
      return undefined;
    case 'mul':
      if (isConst(b, 1)) return a;
      if (isConst(a, 1)) return b;
      if (isConst(a, 0) || isConst(b, 0)) return constant(0, shape, dtype);
      return undefined;
    case 'div':
      if (isConst(b, 1)) return a;
      if (isConst(a, 0)) return constant(0, shape, dtype);
      return undefined;
    case 'neg':
      return a.op === 'neg' ? a.inputs[0] : undefined;
    case 'select': {
      const [c, x, y] = inputs as [Node, Node, Node];
      if (c.op === 'constant') return constValue(c) ? x : y;
      return x === y ? x : undefined;
    }
    case 'cast':
      return a.dtype === dtype ? a : undefined;
    case 'reduceSum':
    case 'reduceMax': {
      const { axes } = params as PrimParams['reduceSum'];
      if (axes.length === 0) return a;
      const v = constValue(a);
      if (v === undefined) return undefined;
      const count = axes.reduce((p, ax) => p * a.shape[ax]!, 1);
      return constant(op === 'reduceSum' ? v * count : v, shape, dtype);
    }
    case 'broadcast':
      if (sameShape(a.shape, shape)) return a;
      if (a.op === 'constant') return constant(constValue(a)!, shape, dtype);
      return undefined;
    case 'reshape':
      if (sameShape(a.shape, shape)) return a;
      if (a.op === 'constant') return constant(constValue(a)!, shape, dtype);
      if (a.op === 'reshape') return makeNode('reshape', [a.inputs[0]!], { shape });
      return undefined;
    case 'transpose': {
      const { perm } = params as PrimParams['transpose'];
      if (perm.every((p, i) => p === i)) return a;
      if (a.op === 'constant') return constant(constValue(a)!, shape, dtype);
      if (a.op === 'transpose') {
        const inner = (a.params as PrimParams['transpose']).perm;
        return makeNode('transpose', [a.inputs[0]!], { perm: perm.map((p) => inner[p]!) });
      }
      if (a.op === 'dot') return swappedDot(a, perm);
      return undefined;
    }
    case 'slice':
      if (sameShape(a.shape, shape)) return a;
      if (a.op === 'constant') return constant(constValue(a)!, shape, dtype);
      return undefined;
    case 'pad': {
      const { lo, hi } = params as PrimParams['pad'];
      if (lo.every((p) => p === 0) && hi.every((p) => p === 0)) return a;
      if (isConst(a, 0)) return constant(0, shape, dtype);
      return undefined;
    }
    case 'concat':
      return inputs.length === 1 ? a : undefined;
    case 'dot':
      return isConst(a, 0) || isConst(b, 0) ? constant(0, shape, dtype) : undefined;
    case 'gather':
      return a.op === 'constant' ? constant(constValue(a)!, shape, dtype) : undefined;
    case 'scatterAdd':
      return isConst(a, 0) ? constant(0, shape, dtype) : undefined;
    case 'stopGradient':
      return ['constant', 'iota', 'literal', 'randomBits', 'stopGradient'].includes(a.op) ? a : undefined;
    default:
      return undefined;
  }
}

/**
 * transpose(dot(a, b)) that swaps the two free-axis blocks is dot(b, a): computing C^T directly
 * saves a transpose kernel (this is the shape of every weight gradient).
 */
function swappedDot(d: Node, perm: readonly number[]): Node | undefined {
  const [a, b] = d.inputs as [Node, Node];
  const { contract: [ca, cb], batch: [ba, bb] } = d.params as PrimParams['dot'];
  const nb = ba.length;
  const nA = a.shape.length - ca.length - nb;
  const nB = b.shape.length - cb.length - nb;
  const want = [
    ...Array.from({ length: nb }, (_, i) => i),
    ...Array.from({ length: nB }, (_, i) => nb + nA + i),
    ...Array.from({ length: nA }, (_, i) => nb + i),
  ];
  if (nA === 0 || nB === 0 || perm.some((p, i) => p !== want[i])) return undefined;
  return makeNode('dot', [b, a], { contract: [cb, ca], batch: [bb, ba] });
}
