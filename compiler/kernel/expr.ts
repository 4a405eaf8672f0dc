import type { DType } from '../ir/dtype.ts';
import type { BinaryOp, UnaryOp } from '../ir/primitives.ts';
import type { Affine } from './indexExpr.ts';

/**
 * Scalar expressions of a fused kernel, evaluated once per element of the kernel's iteration
 * space. Backend-neutral: the CPU backend prints them as JavaScript, gpujs as kernel source.
 * Expressions are hash-consed by the builder in fusion, so equal subexpressions are one object
 * (codegen binds multi-use ones to locals).
 */
export type Expr =
  /** Element `index` of buffer `buffer` (contiguous, row-major), with a bounds check when `check` is set (gathers). */
  | { readonly k: 'load'; readonly buffer: number; readonly index: Affine; readonly dtype: DType }
  | { readonly k: 'const'; readonly value: number; readonly dtype: DType }
  /** An integer index expression used as a value (iota). */
  | { readonly k: 'index'; readonly index: Affine; readonly dtype: DType }
  | { readonly k: 'unary'; readonly op: UnaryOp; readonly a: Expr; readonly dtype: DType }
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr; readonly dtype: DType; readonly operandDType: DType }
  /** cond ? a : b. `lazy` selects (pad, concat) must not evaluate the untaken branch. */
  | { readonly k: 'select'; readonly cond: Expr; readonly a: Expr; readonly b: Expr; readonly dtype: DType; readonly lazy: boolean }
  | { readonly k: 'cast'; readonly a: Expr; readonly from: DType; readonly dtype: DType }
  /** An index is in [0, extent): pad/concat validity (bool). */
  | { readonly k: 'inRange'; readonly index: Affine; readonly lo: number; readonly hi: number; readonly dtype: 'bool' }
  /** threefry2x32(key, (offset + floor(counter / 2), tag))[counter mod 2]; key is a u32[2] buffer. */
  | { readonly k: 'random'; readonly keyBuffer: number; readonly counter: Affine; readonly tag: number; readonly offset: number; readonly dtype: 'u32' }
  /** A checked gather index: `value` as an integer in [0, extent), else an IndexError naming `site`. */
  | { readonly k: 'checkIndex'; readonly value: Expr; readonly extent: number; readonly site: string; readonly dtype: 'i32' }
  /** The result of reduction stage `stage` for the current row of a row kernel. */
  | { readonly k: 'rowValue'; readonly stage: number; readonly dtype: DType };

export type ExprKind = Expr['k'];
