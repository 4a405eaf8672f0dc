import { type ScatterKernel, loopVar } from '../../kernel/kernel.ts';
import type { Term } from '../../kernel/indexExpr.ts';
import { GpujsUnsupportedError } from './errors.ts';
import { GpuExprPrinter, type VarBinding } from './gpuExpr.ts';
import type { KernelSpec } from './kernelSpec.ts';
import { type BuildContext, elementIndex, makeSpec, nestLoops, printEnv, returnValue } from './specBuilder.ts';

/**
 * The target's terms as a mixed-radix decomposition of the output index (each term's coefficient
 * times its extent at most the next coefficient, no constant): then every loop variable in the
 * target is determined by the output element, and only the others need a loop.
 */
export function mixedRadix(k: ScatterKernel): Term[] | undefined {
  if (k.target.c !== 0) return undefined;
  const extent = (t: Term) => (t.atom.kind === 'var' || t.atom.kind === 'value' ? t.atom.extent : 0);
  const terms = [...k.target.terms].sort((a, b) => a.coef - b.coef);
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i]!;
    if (t.coef <= 0 || extent(t) === 0) return undefined;
    if (i + 1 < terms.length && t.coef * extent(t) > terms[i + 1]!.coef) return undefined;
  }
  return terms;
}

/**
 * A scatter-add, gather style: one thread per output element sums, in update order, the updates
 * whose target is that element. Loop variables the target determines are computed from the
 * output index; the loop runs over the rest (for an embedding gradient: over the token positions).
 */
export function scatterSpec(ctx: BuildContext, k: ScatterKernel, kernel: number, name: string): KernelSpec {
  const out = ctx.slot(k.out);
  if (out.dtype !== k.value.dtype || out.elements !== k.outSize) {
    throw new GpujsUnsupportedError(`${name}`, ctx.mode, `a scatter of ${k.value.dtype} into ${out.dtype}`);
  }
  const radix = mixedRadix(k);
  const determined = new Map<string, number>();
  for (const t of radix ?? []) if (t.atom.kind === 'var') determined.set(t.atom.name, t.coef);
  const axes = k.space.map((_, i) => i);
  const free = axes.filter((a) => !determined.has(loopVar(a)));
  const vars = new Map<string, VarBinding>();
  const top: string[] = [];
  const target = new GpuExprPrinter(printEnv(ctx, vars), free.length, 't');
  const ops = target.ops;
  const o = elementIndex(ops, out.repr);
  for (const a of axes) {
    const coef = determined.get(loopVar(a));
    if (coef === undefined) continue;
    const d = k.space[a]!;
    const q = coef === 1 ? o : target.call(coef < 2 ** 23 ? 'pxIdivS' : 'pxIdivL', o, ops.lit(coef));
    top.push(`let ${loopVar(a)} = ${d === 1 ? ops.lit(0) : target.call(d < 2 ** 23 ? 'pxImodS' : 'pxImodL', q, ops.lit(d))};`);
    vars.set(loopVar(a), { code: ops.toInt(loopVar(a)), level: 0 });
  }
  free.forEach((a, i) => vars.set(loopVar(a), { code: loopVar(a), level: i + 1 }));
  const L = free.length;
  const t = target.affine(k.target, L);

  // the value is computed only for matching updates: its printer's blocks all go inside the test
  const valuePrinter = new GpuExprPrinter(printEnv(ctx, vars), L, 's');
  valuePrinter.countUses([k.value]);
  const value = valuePrinter.print(k.value, L);
  const isInt = out.repr === 'i';
  // integer sums wrap like int32, held as 16-bit halves (helpers.ts); the value is evaluated once
  const v = ops.join('svh', 'svl');
  const next = ops.wrap(`(${ops.join('ah', 'al')} + ${v})`);
  const add = isInt
    ? [`let svh = ${ops.hi(value)};`, `let svl = ${ops.lo(value)};`, `let nh = ${ops.hi(next)};`, `let nl = ${ops.lo(next)};`, 'ah = nh;', 'al = nl;']
    : [`acc = acc + ${value};`];
  const inner = [...valuePrinter.blocks.flat(), ...add];
  target.blocks[L]!.push(`if (${t} === ${o}) {`, ...inner.map((l) => `  ${l}`), '}');
  target.blocks[0]!.unshift(...top, ...(isInt ? ['let ah = 0;', 'let al = 0;'] : ['let acc = 0;']));
  const loops = free.map((a) => ({ name: loopVar(a), extent: k.space[a]! }));
  const body = [...nestLoops(target.blocks, loops), ...returnValue(ops, isInt ? ops.join('ah', 'al') : 'acc', out.repr)];
  const spec = makeSpec(name, kernel, out, target, body);
  return { ...spec, helpers: [...new Set([...spec.helpers, ...makeSpec(name, kernel, out, valuePrinter, []).helpers])], slots: [...new Set([...spec.slots, ...valuePrinter.slots])] };
}
