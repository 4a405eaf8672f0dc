import type { DType } from './dtype.ts';
import type { Node } from './node.ts';

/** Elementwise ops of one operand. */
export const UNARY_OPS = [
  'neg', 'exp', 'log', 'log1p', 'sqrt', 'rsqrt', 'tanh', 'erf', 'abs', 'sign', 'reciprocal', 'sin', 'cos', 'not',
] as const;
/** Elementwise ops of two operands of identical shape and dtype. */
export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'mod',
  'lt', 'le', 'gt', 'ge', 'eq', 'ne',
  'and', 'or', 'xor', 'shl', 'shr',
] as const;
export const COMPARISON_OPS = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const;

export type UnaryOp = (typeof UNARY_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];

/**
 * The backward function of a customVjp node: given the output cotangent, the primal inputs and the
 * primal output, returns one cotangent per primal input (null = zero). Built from graph ops, so it
 * is differentiable again.
 */
export type CustomVjpBackward = (cotangent: Node, primals: readonly Node[], output: Node) => readonly (Node | null)[];

/** Parameters of every primitive. The op enum is the key set: every rule table is total over it. */
export interface PrimParams {
  // elementwise
  neg: {}; exp: {}; log: {}; log1p: {}; sqrt: {}; rsqrt: {}; tanh: {}; erf: {}; abs: {}; sign: {};
  reciprocal: {}; sin: {}; cos: {}; not: {};
  add: {}; sub: {}; mul: {}; div: {}; pow: {}; max: {}; min: {}; mod: {};
  lt: {}; le: {}; gt: {}; ge: {}; eq: {}; ne: {};
  and: {}; or: {}; xor: {}; shl: {}; shr: {};
  select: {};
  cast: { dtype: DType };
  // reductions
  reduceSum: { axes: readonly number[] };
  reduceMax: { axes: readonly number[] };
  argmax: { axis: number };
  /** dot_general: output axes are [batch..., lhs free..., rhs free...] (free axes in input order). */
  dot: { contract: readonly [readonly number[], readonly number[]]; batch: readonly [readonly number[], readonly number[]] };
  // shape and data movement
  /** Input axis i becomes output axis dims[i] (same size); other output axes are new. */
  broadcast: { shape: readonly number[]; dims: readonly number[] };
  reshape: { shape: readonly number[] };
  transpose: { perm: readonly number[] };
  slice: { starts: readonly number[]; ends: readonly number[] };
  pad: { lo: readonly number[]; hi: readonly number[] };
  concat: { axis: number };
  /**
   * x: B ++ P ++ [n] ++ Q (|B| = batchDims, axis = |B| + |P|), idx: B ++ I  ->  B ++ P ++ I ++ Q,
   * out[b, p, i, q] = x[b, p, idx[b, i], q].
   */
  gather: { axis: number; batchDims: number; site?: string };
  /** The transpose of gather: out (B ++ P ++ [size] ++ Q) accumulates updates at idx. */
  scatterAdd: { axis: number; batchDims: number; size: number; site?: string };
  // sources
  iota: { shape: readonly number[]; axis: number; dtype: DType };
  /** A value repeated over a shape (scalars are shape []). */
  constant: { value: number; shape: readonly number[]; dtype: DType };
  /** A dense array embedded in the graph. */
  literal: { data: ArrayLike<number>; shape: readonly number[]; dtype: DType; id: number };
  /** bits[i] = threefry2x32(key, (offset + floor(i / 2), tag))[i mod 2], row-major over shape. */
  randomBits: { shape: readonly number[]; tag: number; offset: number };
  input: { name: string; shape: readonly number[]; dtype: DType; id: number };
  // autodiff control
  stopGradient: {};
  /** Value = inputs[0] (the forward result); gradient flows to inputs[1..] through `backward`. */
  customVjp: { name: string; backward: CustomVjpBackward; id: number };
}

export type Prim = keyof PrimParams;

export const ALL_PRIMS = [
  ...UNARY_OPS, ...BINARY_OPS,
  'select', 'cast', 'reduceSum', 'reduceMax', 'argmax', 'dot',
  'broadcast', 'reshape', 'transpose', 'slice', 'pad', 'concat', 'gather', 'scatterAdd',
  'iota', 'constant', 'literal', 'randomBits', 'input', 'stopGradient', 'customVjp',
] as const satisfies readonly Prim[];

// Compile-time check that ALL_PRIMS lists every primitive.
type Missing = Exclude<Prim, (typeof ALL_PRIMS)[number]>;
const _allListed: Missing extends never ? true : Missing = true;
void _allListed;

export const isUnary = (op: Prim): op is UnaryOp => (UNARY_OPS as readonly string[]).includes(op);
export const isBinary = (op: Prim): op is BinaryOp => (BINARY_OPS as readonly string[]).includes(op);
export const isComparison = (op: Prim): boolean => (COMPARISON_OPS as readonly string[]).includes(op);
/** Ops whose output element i depends only on element i of each input. */
export const isElementwise = (op: Prim): boolean => isUnary(op) || isBinary(op) || op === 'select' || op === 'cast';
