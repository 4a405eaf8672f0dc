import type { DType } from '../../compiler/ir/dtype.ts';
import { isFloat } from '../../compiler/ir/dtype.ts';
import * as ir from '../../compiler/ir/ops.ts';
import type { BinaryOp, UnaryOp } from '../../compiler/ir/primitives.ts';
import type { Axes, Union } from '../axes.ts';
import { DTypeMismatchError, describeAxes } from '../errors.ts';
import { Tensor } from '../tensor.ts';
import { alignOperands } from './align.ts';

const FLOAT_UNARY = new Set<UnaryOp>(['exp', 'log', 'log1p', 'sqrt', 'rsqrt', 'tanh', 'erf', 'reciprocal', 'sin', 'cos']);

function unary<A extends Axes>(op: UnaryOp, x: Tensor<A>): Tensor<A> {
  if (FLOAT_UNARY.has(op) && !isFloat(x.dtype)) {
    throw new DTypeMismatchError(op, `needs a float tensor, got ${x.dtype}${describeAxes(x.axes, x.shape)}`, { dtype: x.dtype });
  }
  if (op === 'not' && x.dtype !== 'bool') throw new DTypeMismatchError(op, `needs a bool tensor, got ${x.dtype}`, { dtype: x.dtype });
  return new Tensor(ir.unary(op, x.node), x.axes);
}

function binary<A extends Axes, B extends Axes>(op: BinaryOp, a: Tensor<A> | number | boolean, b: Tensor<B> | number | boolean): Tensor<Union<A, B>> {
  const ta = a instanceof Tensor ? a : undefined;
  const tb = b instanceof Tensor ? b : undefined;
  if (ta && tb && ta.dtype !== tb.dtype) {
    throw new DTypeMismatchError(op, `operand dtypes differ: ${ta.dtype}${describeAxes(ta.axes, ta.shape)} vs ${tb.dtype}${describeAxes(tb.axes, tb.shape)} (cast one explicitly)`, {
      dtypes: [ta.dtype, tb.dtype],
    });
  }
  const { axes, nodes } = alignOperands(op, [a, b]);
  return new Tensor(ir.binary(op, nodes[0]!, nodes[1]!), axes as unknown as Union<A, B>);
}

export const neg = <A extends Axes>(x: Tensor<A>) => unary('neg', x);
export const exp = <A extends Axes>(x: Tensor<A>) => unary('exp', x);
export const log = <A extends Axes>(x: Tensor<A>) => unary('log', x);
export const log1p = <A extends Axes>(x: Tensor<A>) => unary('log1p', x);
export const sqrt = <A extends Axes>(x: Tensor<A>) => unary('sqrt', x);
export const rsqrt = <A extends Axes>(x: Tensor<A>) => unary('rsqrt', x);
export const tanh = <A extends Axes>(x: Tensor<A>) => unary('tanh', x);
export const erf = <A extends Axes>(x: Tensor<A>) => unary('erf', x);
export const abs = <A extends Axes>(x: Tensor<A>) => unary('abs', x);
export const sign = <A extends Axes>(x: Tensor<A>) => unary('sign', x);
export const reciprocal = <A extends Axes>(x: Tensor<A>) => unary('reciprocal', x);
export const sin = <A extends Axes>(x: Tensor<A>) => unary('sin', x);
export const cos = <A extends Axes>(x: Tensor<A>) => unary('cos', x);
export const not = <A extends Axes>(x: Tensor<A>) => unary('not', x);
export const square = <A extends Axes>(x: Tensor<A>): Tensor<A> => new Tensor(ir.mul(x.node, x.node), x.axes);
/** 1 / (1 + e^-x), written so that neither tail overflows. */
export const sigmoid = <A extends Axes>(x: Tensor<A>): Tensor<A> => add(mul(tanh(mul(x, 0.5)), 0.5), 0.5);

/** A binary op: a number (or boolean) operand keeps the other operand's axes; two tensors broadcast by name. */
interface Binary<S> {
  <A extends Axes>(a: Tensor<A>, b: S): Tensor<A>;
  <B extends Axes>(a: S, b: Tensor<B>): Tensor<B>;
  <A extends Axes, B extends Axes>(a: Tensor<A>, b: Tensor<B>): Tensor<Union<A, B>>;
  <A extends Axes, B extends Axes>(a: Tensor<A> | S, b: Tensor<B> | S): Tensor<Union<A, B>>;
}
type Bin = Binary<number>;
type BoolBin = Binary<boolean>;
const bin = (op: BinaryOp): Bin => ((a: Tensor | number, b: Tensor | number) => binary(op, a, b)) as Bin;

export const add = bin('add');
export const sub = bin('sub');
export const mul = bin('mul');
export const div = bin('div');
export const pow = bin('pow');
export const maximum = bin('max');
export const minimum = bin('min');
/** Integer remainder (truncated, like C and JavaScript's %). */
export const mod = bin('mod');
export const lt = bin('lt');
export const le = bin('le');
export const gt = bin('gt');
export const ge = bin('ge');
export const eq = bin('eq');
export const ne = bin('ne');
export const and = ((a: Tensor | boolean, b: Tensor | boolean) => binary('and', a, b)) as BoolBin;
export const or = ((a: Tensor | boolean, b: Tensor | boolean) => binary('or', a, b)) as BoolBin;
export const xor = bin('xor');
export const shiftLeft = bin('shl');
export const shiftRight = bin('shr');

/** cond ? a : b elementwise, broadcasting all three by name (a number branch has no axes). */
export function where<C extends Axes, A extends Axes>(cond: Tensor<C>, a: Tensor<A>, b: number): Tensor<Union<C, A>>;
export function where<C extends Axes, B extends Axes>(cond: Tensor<C>, a: number, b: Tensor<B>): Tensor<Union<C, B>>;
export function where<C extends Axes>(cond: Tensor<C>, a: number, b: number): Tensor<C>;
export function where<C extends Axes, A extends Axes, B extends Axes>(cond: Tensor<C>, a: Tensor<A> | number, b: Tensor<B> | number): Tensor<Union<Union<C, A>, B>>;
export function where<C extends Axes, A extends Axes, B extends Axes>(
  cond: Tensor<C>,
  a: Tensor<A> | number,
  b: Tensor<B> | number,
): Tensor<Union<Union<C, A>, B>> {
  if (cond.dtype !== 'bool') throw new DTypeMismatchError('where', `condition must be bool, got ${cond.dtype}`, { dtype: cond.dtype });
  const ta = a instanceof Tensor ? a : undefined;
  const tb = b instanceof Tensor ? b : undefined;
  if (ta && tb && ta.dtype !== tb.dtype) throw new DTypeMismatchError('where', `branch dtypes differ: ${ta.dtype} vs ${tb.dtype}`);
  const dtype: DType = ta?.dtype ?? tb?.dtype ?? 'f32';
  const { axes, nodes } = alignOperands('where', [cond, a, b], (i) => (i === 0 ? 'bool' : dtype));
  return new Tensor(ir.select(nodes[0]!, nodes[1]!, nodes[2]!), axes as unknown as Union<Union<C, A>, B>);
}

export function cast<A extends Axes>(x: Tensor<A>, dtype: DType): Tensor<A> {
  return new Tensor(ir.cast(x.node, dtype), x.axes);
}

/** The value with no gradient flowing through it. */
export function stopGradient<A extends Axes>(x: Tensor<A>): Tensor<A> {
  return new Tensor(ir.stopGradient(x.node), x.axes);
}
