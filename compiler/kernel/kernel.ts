import type { DType } from '../ir/dtype.ts';
import type { Node } from '../ir/node.ts';
import type { Expr } from './expr.ts';
import type { Affine } from './indexExpr.ts';

/** What a buffer holds over the life of a program. */
export type BufferRole = 'input' | 'output' | 'temp' | 'literal';

export interface BufferInfo {
  readonly id: number;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Elements. */
  readonly size: number;
  readonly role: BufferRole;
  /** The graph node whose value the buffer holds (for explain and debugging). */
  readonly node: Node;
  /** Flat input/output position for inputs and outputs. */
  readonly io?: number;
}

/** One value written by a kernel: `expr` stored at element `index` of `buffer`. */
export interface Store {
  readonly buffer: number;
  readonly index: Affine;
  readonly expr: Expr;
}

/** Loop variable names: `v${axis}` over the kernel's space. */
export const loopVar = (axis: number): string => `v${axis}`;

/** Elementwise work over `space`: every store runs once per element. */
export interface MapKernel {
  readonly kind: 'map';
  readonly space: readonly number[];
  readonly stores: readonly Store[];
}

export type ReduceOp = 'sum' | 'max' | 'argmax';

/** A per-row reduction over the kernel's reduced axes; its result is `rowValue(stage)`. */
export interface ReduceStage {
  readonly kind: 'reduce';
  readonly op: ReduceOp;
  readonly expr: Expr;
  readonly dtype: DType;
  /** Stored per row (index over the kept axes) when the value is needed elsewhere. */
  readonly store?: { readonly buffer: number; readonly index: Affine };
}
/** A per-row scalar computed from earlier stages (e.g. rsqrt(var + eps)); also `rowValue(stage)`. */
export interface RowMapStage {
  readonly kind: 'rowMap';
  readonly expr: Expr;
  readonly dtype: DType;
  readonly store?: { readonly buffer: number; readonly index: Affine };
}
/** Full-space outputs computed per element of the row (e.g. the normalised values). */
export interface InnerMapStage {
  readonly kind: 'innerMap';
  readonly stores: readonly Store[];
}
export type RowStage = ReduceStage | RowMapStage | InnerMapStage;

/**
 * Row-wise work: for every combination of the kept axes of `space` (a row), the stages run in
 * order; reduce stages and inner maps loop over the `reduced` axes. Softmax, LayerNorm and
 * softmax-cross-entropy are each one row kernel.
 */
export interface RowKernel {
  readonly kind: 'row';
  readonly space: readonly number[];
  readonly reduced: readonly number[];
  readonly stages: readonly RowStage[];
}

/** A strided view of a buffer as a batch of matrices (elements). */
export interface MatmulOperand {
  readonly buffer: number;
  readonly offset: number;
  /** Stride between consecutive rows of op(X) and the element stride along them: one of them is 1. */
  readonly ld: number;
  readonly trans: boolean;
  readonly batchStride: number;
}

/**
 * C[batch, m, n] = op(A) op(B) by the tuned GEMM, then an optional elementwise epilogue over C's
 * space (bias, activation, residual...) that may write further outputs.
 */
export interface MatmulKernel {
  readonly kind: 'matmul';
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly batch: number;
  readonly a: MatmulOperand;
  readonly b: MatmulOperand;
  /** Output buffer, contiguous [batch, m, n]. */
  readonly c: number;
  readonly epilogue?: MapKernel;
}

/** out (zeroed) += value at `target`, for every element of `space` (the updates' shape). */
export interface ScatterKernel {
  readonly kind: 'scatter';
  readonly space: readonly number[];
  readonly out: number;
  readonly outSize: number;
  readonly target: Affine;
  readonly value: Expr;
}

export type Kernel = (MapKernel | RowKernel | MatmulKernel | ScatterKernel) & {
  /** Graph nodes computed by this kernel (for explain and kernel-count tests). */
  readonly nodes?: readonly Node[];
};

/** A fused, scheduled program: buffers and kernels in execution order. */
export interface KernelProgram {
  readonly buffers: readonly BufferInfo[];
  readonly kernels: readonly (Kernel & { readonly nodes: readonly Node[] })[];
  /** Buffer of each graph input / output, in flat order. */
  readonly inputBuffers: readonly number[];
  readonly outputBuffers: readonly number[];
  /** Literal buffers and their data. */
  readonly literals: ReadonlyMap<number, ArrayLike<number>>;
}
