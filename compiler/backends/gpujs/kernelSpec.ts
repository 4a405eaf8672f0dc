import type { DType } from '../../ir/dtype.ts';
import type { HelperName } from './helpers.ts';
import type { Repr } from './repr.ts';

/**
 * A value living in gpu.js memory: a program buffer (slots 0..buffers-1 are the program's
 * buffers, same ids) or a backend temporary (row values, packed arguments, the readback block).
 */
export interface Slot {
  readonly id: number;
  readonly dtype: DType;
  readonly repr: Repr;
  /** Logical elements, and floats on the device (twice as many for 'i'). */
  readonly elements: number;
  readonly floats: number;
  readonly what: string;
}

/**
 * One gpu.js kernel: one thread per float of its output slot. `body` is the kernel function's
 * body with slot placeholders (gpuExpr.slotRef) for the arrays it reads; argPlan.ts turns it into
 * a function source and an argument list.
 */
export interface KernelSpec {
  readonly name: string;
  readonly body: readonly string[];
  readonly out: number;
  readonly helpers: readonly HelperName[];
  /** The program kernel this implements (explain groups sources by it); -1 for runtime copies. */
  readonly kernel: number;
  readonly slots: readonly number[];
}

/** A spec ready for gpu.js: function source and the slots passed as its arguments, in order. */
export interface FinalSpec {
  readonly name: string;
  readonly source: string;
  readonly args: readonly number[];
  readonly out: number;
  readonly helpers: readonly HelperName[];
  readonly kernel: number;
}
