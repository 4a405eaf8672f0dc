import { affineKey, addIdx, constIdx, linearIndex, scaleIdx, varIdx } from '../../kernel/indexExpr.ts';
import { type MapKernel, type MatmulKernel, type MatmulOperand, type Store, loopVar } from '../../kernel/kernel.ts';
import { GpujsUnsupportedError } from './errors.ts';
import { GpuExprPrinter, type VarBinding } from './gpuExpr.ts';
import type { KernelSpec } from './kernelSpec.ts';
import { type BuildContext, decompose, elementIndex, makeSpec, nestLoops, printEnv, returnValue } from './specBuilder.ts';

const allAxes = (space: readonly number[]) => space.map((_, i) => i);

/** Stores must write their buffer in the order of the kernel's space (thread i -> element i). */
export function checkIdentityStore(ctx: BuildContext, s: Store, space: readonly number[], what: string): void {
  const identity = linearIndex(space.map((d, i) => varIdx(loopVar(i), d)), space);
  if (affineKey(s.index) !== affineKey(identity) || ctx.slot(s.buffer).elements !== space.reduce((a, b) => a * b, 1)) {
    throw new GpujsUnsupportedError(what, ctx.mode, 'a store that does not cover its buffer in order (gpu.js computes one thread per output element)');
  }
}

/** One gpu.js kernel per store of a map kernel: each thread computes one element. */
export function mapSpecs(ctx: BuildContext, k: MapKernel, kernel: number, name: string): KernelSpec[] {
  return k.stores.map((s, j) => {
    checkIdentityStore(ctx, s, k.space, `${name} store ${j}`);
    const out = ctx.slot(s.buffer);
    const vars = new Map<string, VarBinding>();
    const printer = new GpuExprPrinter(printEnv(ctx, vars), 0);
    const top = decompose(printer, allAxes(k.space), k.space, elementIndex(printer.ops, out.repr), loopVar, vars);
    printer.countUses([s.expr]);
    const value = printer.print(s.expr, 0);
    return makeSpec(`${name}:b${s.buffer}`, kernel, out, printer, [...top, ...printer.blocks[0]!, ...returnValue(printer.ops, value, out.repr)]);
  });
}

/** Element (batch, row, col) of op(X) for a strided matmul operand, as an index affine. */
function operandIndex(x: MatmulOperand, batch: string, row: string, col: string, sizes: { b: number; r: number; c: number }) {
  const b = scaleIdx(varIdx(batch, sizes.b), x.batchStride);
  // op(X)[r, c] is X[r * ld + c], or X[c * ld + r] when transposed
  const r = scaleIdx(varIdx(row, sizes.r), x.trans ? 1 : x.ld);
  const c = scaleIdx(varIdx(col, sizes.c), x.trans ? x.ld : 1);
  return addIdx(addIdx(addIdx(b, r), c), constIdx(x.offset));
}

/**
 * A matmul: one thread per element of C[batch, m, n], looping over k (gpu.js has no shared
 * memory, so there is nothing to tile into), then its epilogue as map kernels.
 */
export function matmulSpecs(ctx: BuildContext, k: MatmulKernel, kernel: number, name: string): KernelSpec[] {
  for (const [x, which] of [[k.a, 'A'], [k.b, 'B']] as const) {
    if (ctx.slot(x.buffer).dtype !== 'f32') throw new GpujsUnsupportedError(`matmul operand ${which}`, ctx.mode, `only f32 matmuls, got ${ctx.slot(x.buffer).dtype}`);
  }
  const out = ctx.slot(k.c);
  const space = [k.batch, k.m, k.n];
  const vars = new Map<string, VarBinding>([['mp', { code: 'mp', level: 1 }]]);
  const printer = new GpuExprPrinter(printEnv(ctx, vars), 1);
  const top = decompose(printer, [0, 1, 2], space, elementIndex(printer.ops, out.repr), (a) => ['mb', 'mi', 'mj'][a]!, vars);
  const a = printer.loadSlot(k.a.buffer, printer.affine(operandIndex(k.a, 'mb', 'mi', 'mp', { b: k.batch, r: k.m, c: k.k }), 1));
  const b = printer.loadSlot(k.b.buffer, printer.affine(operandIndex(k.b, 'mb', 'mp', 'mj', { b: k.batch, r: k.k, c: k.n }), 1));
  const blocks = [[...top, 'let acc = 0;'], [`acc = acc + ${a} * ${b};`]];
  const body = [...nestLoops(blocks, [{ name: 'mp', extent: k.k }]), 'return acc;'];
  const specs = [makeSpec(`${name}:gemm`, kernel, out, printer, body)];
  if (k.epilogue) specs.push(...mapSpecs(ctx, k.epilogue, kernel, `${name}:epilogue`));
  return specs;
}
