import { type Affine, affineKey, linearIndex, varIdx } from '../../kernel/indexExpr.ts';
import { type ReduceStage, type RowKernel, type RowMapStage, loopVar } from '../../kernel/kernel.ts';
import { GpujsUnsupportedError } from './errors.ts';
import { GpuExprPrinter, type VarBinding } from './gpuExpr.ts';
import type { KernelSpec, Slot } from './kernelSpec.ts';
import { checkIdentityStore } from './mapSpecs.ts';
import { type BuildContext, decompose, elementIndex, makeSpec, nestLoops, printEnv, returnValue } from './specBuilder.ts';

/**
 * A row kernel as several gpu.js kernels: each reduce or rowMap stage is a kernel with one thread
 * per row (looping over the reduced axes for a reduction), writing the row values to a slot
 * (its buffer when the stage is stored); each innerMap store is a kernel over the full space
 * that reads the row values it needs from those slots.
 */
export function rowSpecs(ctx: BuildContext, k: RowKernel, kernel: number, name: string): KernelSpec[] {
  const kept = k.space.map((_, i) => i).filter((i) => !k.reduced.includes(i));
  const keptShape = kept.map((a) => k.space[a]!);
  const rows = keptShape.reduce((a, b) => a * b, 1);
  const rowIndex: Affine = linearIndex(kept.map((a) => varIdx(loopVar(a), k.space[a]!)), keptShape);
  const stageSlots: Slot[] = [];
  const rowValue = (stage: number) => ({ slot: stageSlots[stage]!.id, index: rowIndex });
  const specs: KernelSpec[] = [];

  const stageSlot = (st: ReduceStage | RowMapStage, s: number): Slot => {
    if (!st.store) return ctx.newSlot(st.dtype, rows, `${name} stage ${s}`);
    if (affineKey(st.store.index) !== affineKey(rowIndex) || ctx.slot(st.store.buffer).elements !== rows) {
      throw new GpujsUnsupportedError(`${name} stage ${s}`, ctx.mode, 'a row value stored out of row order');
    }
    return ctx.slot(st.store.buffer);
  };

  k.stages.forEach((st, s) => {
    if (st.kind === 'innerMap') {
      st.stores.forEach((store, j) => {
        checkIdentityStore(ctx, store, k.space, `${name} stage ${s} store ${j}`);
        const out = ctx.slot(store.buffer);
        const vars = new Map<string, VarBinding>();
        const printer = new GpuExprPrinter(printEnv(ctx, vars, rowValue), 0);
        const top = decompose(printer, k.space.map((_, i) => i), k.space, elementIndex(printer.ops, out.repr), loopVar, vars);
        printer.countUses([store.expr]);
        const value = printer.print(store.expr, 0);
        specs.push(makeSpec(`${name}:stage${s}:b${store.buffer}`, kernel, out, printer, [...top, ...printer.blocks[0]!, ...returnValue(printer.ops, value, out.repr)]));
      });
      return;
    }
    const out = stageSlot(st, s);
    stageSlots[s] = out;
    const R = st.kind === 'reduce' ? k.reduced.length : 0;
    const vars = new Map<string, VarBinding>();
    k.reduced.forEach((a, i) => vars.set(loopVar(a), { code: loopVar(a), level: i + 1 }));
    const printer = new GpuExprPrinter(printEnv(ctx, vars, rowValue), R);
    const top = decompose(printer, kept, keptShape, elementIndex(printer.ops, out.repr), loopVar, vars);
    printer.countUses([st.expr]);
    if (st.kind === 'rowMap') {
      const value = printer.print(st.expr, 0);
      specs.push(makeSpec(`${name}:stage${s}`, kernel, out, printer, [...top, ...printer.blocks[0]!, ...returnValue(printer.ops, value, out.repr)]));
      return;
    }
    const { init, step, result } = accumulate(ctx, printer, st, R, k, s);
    printer.blocks[0]!.unshift(...top, ...init);
    printer.blocks[R]!.push(...step);
    const loops = k.reduced.map((a) => ({ name: loopVar(a), extent: k.space[a]! }));
    specs.push(makeSpec(`${name}:stage${s}`, kernel, out, printer, [...nestLoops(printer.blocks, loops), ...returnValue(printer.ops, result, out.repr)]));
  });
  return specs;
}

/** Statements of one reduction: accumulator setup, the per-element step, and the result's code. */
function accumulate(ctx: BuildContext, printer: GpuExprPrinter, st: ReduceStage, L: number, k: RowKernel, s: number): { init: string[]; step: string[]; result: string } {
  const isInt = (d: string) => d === 'i32' || d === 'u32';
  const exprInt = isInt(st.expr.dtype);
  const x = printer.print(st.expr, L);
  if (st.op === 'argmax') {
    // first maximum wins, like the CPU backend (NaN is not special here: GPU comparisons may not see it)
    const xv = exprInt ? printer.cast(x, st.expr.dtype, 'f32') : x;
    const reducedLinear = linearIndex(k.reduced.map((a) => varIdx(loopVar(a), k.space[a]!)), k.reduced.map((a) => k.space[a]!));
    return {
      init: ['let am = -Infinity;', 'let ai = 0;'],
      step: [`let xv = ${xv};`, 'if (xv > am) {', '  am = xv;', `  ai = ${printer.affine(reducedLinear, L)};`, '}'],
      result: printer.ops.toInt('ai'),
    };
  }
  if (!isInt(st.dtype)) {
    if (exprInt) throw new GpujsUnsupportedError(`reduction stage ${s}`, ctx.mode, 'an integer reduction into a float');
    if (st.op === 'sum') return { init: ['let acc = 0;'], step: [`acc = acc + ${x};`], result: 'acc' };
    return { init: ['let acc = -Infinity;'], step: [`let xv = ${x};`, 'if (xv > acc) {', '  acc = xv;', '}'], result: 'acc' };
  }
  // integer accumulators wrap like int32: held as 16-bit halves (helpers.ts)
  const o = printer.ops;
  const acc = o.join('ah', 'al');
  const xi = printer.bind(x, st.dtype, L);
  if (st.op === 'sum') {
    const next = o.wrap(`(${acc} + ${xi})`);
    return { init: ['let ah = 0;', 'let al = 0;'], step: [`let nh = ${o.hi(next)};`, `let nl = ${o.lo(next)};`, 'ah = nh;', 'al = nl;'], result: acc };
  }
  const greater = st.dtype === 'u32' ? `${printer.call('pxUlt', acc, xi)} === 1` : `${xi} > ${acc}`;
  const init = st.dtype === 'u32' ? ['let ah = 0;', 'let al = 0;'] : ['let ah = -32768;', 'let al = 0;'];
  return { init, step: [`if (${greater}) {`, `  ah = ${o.hi(xi)};`, `  al = ${o.lo(xi)};`, '}'], result: acc };
}

