import type { DType } from '../../ir/dtype.ts';
import { GpuExprPrinter, type PrintEnv, type VarBinding } from './gpuExpr.ts';
import type { IntOps } from './intOps.ts';
import type { GpujsMode } from './modes.ts';
import type { KernelSpec, Slot } from './kernelSpec.ts';
import type { Repr } from './repr.ts';
import { withDeps } from './helpers.ts';

/** What every spec builder needs from the program: the mode and slot lookup. */
export interface BuildContext {
  readonly mode: GpujsMode;
  slot(id: number): Slot;
  newSlot(dtype: DType, elements: number, what: string): Slot;
}

/** The element a thread computes: its index (Integer code) in an output of layout `repr`. */
export const elementIndex = (ops: IntOps, repr: Repr): string => (repr === 'i' ? ops.shr('this.thread.x', '1') : 'this.thread.x');

/**
 * Binds (into `vars`) the loop variables of `axes` (kernel-space axis numbers) over `shape`, decomposed from the
 * Integer code `index` of their row-major linear position: exact integer div/mod (helpers.ts),
 * each bound to a float local (a coordinate is far below 2^24).
 */
export function decompose(
  printer: GpuExprPrinter,
  axes: readonly number[],
  shape: readonly number[],
  index: string,
  names: (axis: number) => string,
  vars: Map<string, VarBinding>,
): string[] {
  const stmts: string[] = [];
  let stride = shape.reduce((a, b) => a * b, 1);
  axes.forEach((axis, i) => {
    const d = shape[i]!;
    stride /= d;
    const name = names(axis);
    const o = printer.ops;
    if (d === 1) {
      vars.set(name, { code: o.lit(0), level: 0 });
      return;
    }
    const q = stride === 1 ? index : printer.call(stride < 2 ** 23 ? 'pxIdivS' : 'pxIdivL', index, o.lit(stride));
    const v = i === 0 ? q : printer.call(d < 2 ** 23 ? 'pxImodS' : 'pxImodL', q, o.lit(d));
    stmts.push(`let ${name} = ${v};`);
    vars.set(name, { code: o.toInt(name), level: 0 });
  });
  return stmts;
}

/** The printer environment over the context's slots. */
export function printEnv(ctx: BuildContext, vars: ReadonlyMap<string, VarBinding>, rowValue?: PrintEnv['rowValue']): PrintEnv {
  return {
    mode: ctx.mode,
    slotOfBuffer: (b) => b,
    slotRepr: (s) => ctx.slot(s).repr,
    vars,
    ...(rowValue ? { rowValue } : {}),
  };
}

/** Statements returning `value` (code of `dtype`) into an output of the dtype's layout. */
export function returnValue(ops: IntOps, value: string, repr: Repr): string[] {
  if (repr === 'f') return [`return ${value};`];
  // int outputs: even threads write the low half, odd threads the (signed) high half
  return [`if (${ops.and('this.thread.x', ops.lit(1))} === 1) {`, `  return ${ops.hi(value)};`, `}`, `return ${ops.lo(value)};`];
}

/**
 * Wraps per-level statement blocks in loops: block L+1 runs inside loop L (levels[L]), block 0
 * is the kernel top.
 */
export function nestLoops(blocks: readonly (readonly string[])[], loops: readonly { name: string; extent: number }[]): string[] {
  let inner: string[] = [...blocks[loops.length]!];
  for (let L = loops.length; L >= 1; L--) {
    const { name, extent } = loops[L - 1]!;
    inner = [...blocks[L - 1]!, `for (let ${name} = 0; ${name} < ${extent}; ${name}++) {`, ...inner.map((l) => `  ${l}`), '}'];
  }
  return inner;
}

/** A spec from a finished printer and body. */
export function makeSpec(name: string, kernel: number, out: Slot, printer: GpuExprPrinter, body: string[]): KernelSpec {
  return { name, body, out: out.id, helpers: withDeps(printer.helpers, printer.mode === 'webgl2'), kernel, slots: [...printer.slots] };
}
