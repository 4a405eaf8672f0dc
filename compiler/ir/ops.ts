/**
 * Positional builders for every primitive: the core layer the named DSL, the VJP rules and the
 * composites are written in. All go through makeNode (checks, simplification, hash-consing).
 */
import { makeNode } from './build.ts';
import type { DType } from './dtype.ts';
import { type Node, freshId } from './node.ts';
import type { BinaryOp, CustomVjpBackward, UnaryOp } from './primitives.ts';

export const unary = (op: UnaryOp, x: Node): Node => makeNode(op, [x], {});
export const binary = (op: BinaryOp, a: Node, b: Node): Node => makeNode(op, [a, b], {});

export const constant = (value: number, shape: readonly number[] = [], dtype: DType = 'f32'): Node =>
  makeNode('constant', [], { value, shape: [...shape], dtype });
/** A constant with x's shape and dtype. */
export const full = (x: Node, value: number): Node => constant(value, x.shape, x.dtype);
export const zerosLike = (x: Node): Node => full(x, 0);

export const neg = (x: Node) => unary('neg', x);
export const exp = (x: Node) => unary('exp', x);
export const log = (x: Node) => unary('log', x);
export const sqrt = (x: Node) => unary('sqrt', x);
export const rsqrt = (x: Node) => unary('rsqrt', x);
export const tanh = (x: Node) => unary('tanh', x);
export const sign = (x: Node) => unary('sign', x);
export const sin = (x: Node) => unary('sin', x);
export const cos = (x: Node) => unary('cos', x);
export const reciprocal = (x: Node) => unary('reciprocal', x);

export const add = (a: Node, b: Node) => binary('add', a, b);
export const sub = (a: Node, b: Node) => binary('sub', a, b);
export const mul = (a: Node, b: Node) => binary('mul', a, b);
export const div = (a: Node, b: Node) => binary('div', a, b);
export const maximum = (a: Node, b: Node) => binary('max', a, b);
/** x * s for a number s. */
export const scale = (x: Node, s: number) => mul(x, full(x, s));
/** x + s for a number s. */
export const shift = (x: Node, s: number) => add(x, full(x, s));

export const select = (cond: Node, a: Node, b: Node) => makeNode('select', [cond, a, b], {});
export const cast = (x: Node, dtype: DType) => makeNode('cast', [x], { dtype });

export const reduceSum = (x: Node, axes: readonly number[]) => makeNode('reduceSum', [x], { axes: [...axes].sort((p, q) => p - q) });
export const reduceMax = (x: Node, axes: readonly number[]) => makeNode('reduceMax', [x], { axes: [...axes].sort((p, q) => p - q) });
export const argmax = (x: Node, axis: number) => makeNode('argmax', [x], { axis });

export const dot = (
  a: Node,
  b: Node,
  contract: readonly [readonly number[], readonly number[]],
  batch: readonly [readonly number[], readonly number[]] = [[], []],
) => makeNode('dot', [a, b], { contract: [[...contract[0]], [...contract[1]]], batch: [[...batch[0]], [...batch[1]]] });

export const broadcast = (x: Node, shape: readonly number[], dims: readonly number[]) =>
  makeNode('broadcast', [x], { shape: [...shape], dims: [...dims] });
/** Broadcasts x back over the axes a reduction removed (x has the reduced shape). */
export function unreduce(x: Node, fullShape: readonly number[], reducedAxes: readonly number[]): Node {
  const dims = fullShape.map((_, i) => i).filter((i) => !reducedAxes.includes(i));
  return broadcast(x, fullShape, dims);
}

export const reshape = (x: Node, shape: readonly number[]) => makeNode('reshape', [x], { shape: [...shape] });
export const transpose = (x: Node, perm: readonly number[]) => makeNode('transpose', [x], { perm: [...perm] });
export const inversePermutation = (perm: readonly number[]): number[] => {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
};
export const slice = (x: Node, starts: readonly number[], ends: readonly number[]) =>
  makeNode('slice', [x], { starts: [...starts], ends: [...ends] });
export const pad = (x: Node, lo: readonly number[], hi: readonly number[]) => makeNode('pad', [x], { lo: [...lo], hi: [...hi] });
export const concat = (xs: readonly Node[], axis: number) => makeNode('concat', xs, { axis });

export const gather = (x: Node, idx: Node, axis: number, batchDims = 0, site?: string) =>
  makeNode('gather', [x, idx], site === undefined ? { axis, batchDims } : { axis, batchDims, site });
export const scatterAdd = (updates: Node, idx: Node, axis: number, batchDims: number, size: number, site?: string) =>
  makeNode('scatterAdd', [updates, idx], site === undefined ? { axis, batchDims, size } : { axis, batchDims, size, site });

export const iota = (shape: readonly number[], axis: number, dtype: DType = 'i32') => makeNode('iota', [], { shape: [...shape], axis, dtype });
export const literal = (data: ArrayLike<number>, shape: readonly number[], dtype: DType = 'f32') =>
  makeNode('literal', [], { data, shape: [...shape], dtype, id: freshId() });
export const randomBits = (key: Node, shape: readonly number[], tag = 0, offset = 0) =>
  makeNode('randomBits', [key], { shape: [...shape], tag, offset });
export const input = (name: string, shape: readonly number[], dtype: DType) =>
  makeNode('input', [], { name, shape: [...shape], dtype, id: freshId() });

export const stopGradient = (x: Node) => makeNode('stopGradient', [x], {});
/** A node whose value is `forward` and whose VJP with respect to `primals` is `backward`. */
export const customVjp = (name: string, forward: Node, primals: readonly Node[], backward: CustomVjpBackward) =>
  makeNode('customVjp', [forward, ...primals], { name, backward, id: freshId() });
