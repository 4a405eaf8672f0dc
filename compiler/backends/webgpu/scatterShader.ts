import type { Term } from '../../kernel/indexExpr.ts';
import { type ScatterKernel, loopVar } from '../../kernel/kernel.ts';
import { mixedRadix } from '../gpujs/scatterSpec.ts';
import type { KernelContext } from './mapShader.ts';
import { MAX_GROUPS, type ShaderSpec, ceilDiv, indent, shaderSource } from './shaderModule.ts';
import { type PrintEnv, WgslPrinter, literal, wgslType } from './wgslExpr.ts';

const GROUP = 256;
const OUT = 'px_o';

/**
 * A scatter-add, gather style (deterministic, in update order, with no atomics): one invocation
 * per output element sums the updates whose target is that element. Loop variables the target
 * determines (a mixed-radix target: always, for scatterAdd) come from the output index; the
 * loops run over the others (for an embedding gradient: the token positions).
 */
export function scatterShader(k: ScatterKernel, ctx: KernelContext, label: string, kernel: number): ShaderSpec | undefined {
  if (k.outSize === 0) return undefined;
  const radix: readonly Term[] = mixedRadix(k) ?? [];
  const determined = new Map<string, number>();
  for (const t of radix) if (t.atom.kind === 'var') determined.set(t.atom.name, t.coef);
  const free = k.space.map((_, a) => a).filter((a) => !determined.has(loopVar(a)));
  const L = free.length;
  const varLevel = new Map<string, number>([[OUT, 1]]);
  k.space.forEach((_, a) => varLevel.set(loopVar(a), determined.has(loopVar(a)) ? 1 : 2 + free.indexOf(a)));
  const target = new WgslPrinter({ ...ctx, varLevel }, L + 1, 't');
  // the value's bindings all go inside the match test: updates elsewhere are not evaluated
  const valueEnv: PrintEnv = { ...ctx, varLevel: new Map(k.space.map((_, a) => [loopVar(a), 0] as const)) };
  const value = new WgslPrinter(valueEnv, 0, 's');
  value.countUses([k.value]);
  const v = value.print(k.value, 0);
  const t = target.affine(k.target, L + 1);
  target.blocks[L + 1]!.push(`if (${t} == ${OUT}) {`, ...indent([...value.constants, ...value.blocks[0]!, `px_acc = px_acc + ${v};`]), '}');
  const element: string[] = [];
  for (const a of k.space.keys()) {
    const coef = determined.get(loopVar(a));
    if (coef !== undefined) element.push(`let ${loopVar(a)}: i32 = (${OUT} / ${coef}) % ${k.space[a]!};`);
  }
  // loop i (over free[i]) sits in block i + 1 and its body is block i + 2
  let loops = [...target.blocks[L + 1]!];
  for (let i = L - 1; i >= 0; i--) {
    const name = loopVar(free[i]!);
    loops = [`for (var ${name}: i32 = 0; ${name} < ${k.space[free[i]!]!}; ${name} = ${name} + 1) {`, ...indent(loops), '}'];
    if (i >= 1) loops = [...target.blocks[i + 1]!, ...loops];
  }
  const d = k.value.dtype;
  const body = [
    ...target.constants,
    ...target.blocks[0]!,
    `for (var ${OUT}: i32 = i32(gid.x); ${OUT} < ${k.outSize}; ${OUT} = ${OUT} + i32(nwg.x) * ${GROUP}) {`,
    ...indent([...element, `var px_acc: ${wgslType(d)} = ${literal(0, d)};`, ...(L === 0 ? [] : target.blocks[1]!), ...loops, target.store(k.out, { terms: [{ atom: { kind: 'var', name: OUT, extent: k.outSize }, coef: 1 }], c: 0 }, 'px_acc', d, 1)]),
    '}',
  ];
  const { wgsl, usesStatus, arenas } = shaderSource({ printers: [target, value], workgroupSize: GROUP, body });
  return { label, kernel, wgsl, usesStatus, arenas, workgroups: [Math.min(ceilDiv(k.outSize, GROUP), MAX_GROUPS), 1, 1], workgroupBytes: 0, invocations: GROUP };
}
