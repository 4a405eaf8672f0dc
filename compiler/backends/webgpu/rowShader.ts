import type { DType } from '../../ir/dtype.ts';
import type { Expr } from '../../kernel/expr.ts';
import { type ReduceStage, type RowKernel, loopVar } from '../../kernel/kernel.ts';
import { passesOf } from '../cpu/jsKernel.ts';
import { decomposeVars, type KernelContext } from './mapShader.ts';
import { MAX_GROUPS, type ShaderSpec, ceilDiv, indent, pow2AtLeast, shaderSource } from './shaderModule.ts';
import { type PrintEnv, WgslPrinter, literal, wgslType } from './wgslExpr.ts';

/**
 * How a row kernel's rows map to invocations: a workgroup holds `rows` rows of `lanes` invocations
 * each; the lanes of a row split its reduced elements and combine their partial results in
 * workgroup memory (a tree), so a softmax or LayerNorm row is one workgroup reduction.
 */
export interface RowLayout {
  readonly rows: number;
  readonly lanes: number;
}

/**
 * Long rows get up to 256 lanes (reading the row contiguously); rows of a few elements one lane.
 * When the reduced axes come first (bias and LayerNorm-gain gradients: sums over batch and
 * sequence), neighbouring invocations take neighbouring columns so reads stay contiguous.
 */
export function rowLayout(k: RowKernel, invocations = 256): RowLayout {
  const kept = k.space.map((_, i) => i).filter((i) => !k.reduced.includes(i));
  const rows = kept.reduce((a, i) => a * k.space[i]!, 1);
  const reduced = k.reduced.reduce((a, i) => a * k.space[i]!, 1);
  const columns = kept.length > 0 && k.reduced.every((a) => a < kept[0]!);
  if (columns) {
    const r = Math.min(64, invocations, pow2AtLeast(rows));
    return { rows: r, lanes: Math.min(invocations / r, pow2AtLeast(reduced)) };
  }
  if (reduced < 16) return { rows: Math.min(64, invocations), lanes: 1 };
  const lanes = Math.min(invocations, pow2AtLeast(reduced));
  return { rows: invocations / lanes, lanes };
}

const ROW = 'px_row';
const J = 'px_j';

/** The identity of a reduction, as WGSL of the accumulator's type. */
function initial(st: ReduceStage): string {
  if (st.op === 'sum') return literal(0, st.dtype);
  const d: DType = st.op === 'argmax' ? 'f32' : st.dtype;
  return d === 'f32' ? literal(-Infinity, 'f32') : d === 'i32' ? literal(-2147483648, 'i32') : '0u';
}

/** `acc` absorbs `x` (NaN wins for f32 max, as on the CPU backend). */
const absorbMax = (acc: string, x: string, d: DType) => (d === 'f32' ? `if (${x} > ${acc} || ${x} != ${x}) { ${acc} = ${x}; }` : `if (${x} > ${acc}) { ${acc} = ${x}; }`);

/**
 * A row kernel (softmax, LayerNorm, cross-entropy, column sums...): each row's stages run in
 * passes over the reduced axes (independent stages share a pass, as on the CPU backend); each
 * reduction combines its lanes' partial results in workgroup memory.
 */
export function rowShader(k: RowKernel, ctx: KernelContext, label: string, kernel: number, layout: RowLayout = rowLayout(k)): ShaderSpec | undefined {
  const kept = k.space.map((_, i) => i).filter((i) => !k.reduced.includes(i));
  const keptShape = kept.map((a) => k.space[a]!);
  const reducedShape = k.reduced.map((a) => k.space[a]!);
  const rows = keptShape.reduce((a, b) => a * b, 1);
  const R = reducedShape.reduce((a, b) => a * b, 1);
  if (rows === 0) return undefined;
  const { rows: C, lanes: S } = layout;
  const WG = C * S;
  const varLevel = new Map<string, number>([[ROW, 1], [J, 2]]);
  kept.forEach((a) => varLevel.set(loopVar(a), 1));
  k.reduced.forEach((a) => varLevel.set(loopVar(a), 2));
  const env: PrintEnv = { ...ctx, varLevel, rowLevel: 1, rowValue: (s) => `r${s}` };
  const printer = new WgslPrinter(env, 2);
  printer.countUses(k.stages.flatMap((s) => (s.kind === 'innerMap' ? s.stores.map((x) => x.expr) : [s.expr])));
  const row = printer.blocks[1]!;
  row.push(...decomposeVars(printer, keptShape, ROW, 1, (i) => loopVar(kept[i]!)));
  const shared = new Set<'f32' | 'i32' | 'u32'>();
  const firstLane = S > 1 ? 'px_valid && px_s == 0' : 'px_valid';
  const storeRowValue = (st: Pick<ReduceStage, 'store' | 'dtype'>, value: string) =>
    st.store ? [`if (${firstLane}) { ${printer.store(st.store.buffer, st.store.index, value, st.dtype, 1)} }`] : [];

  /** The lanes' partials of stage s combined in workgroup memory; every lane gets the result. */
  const combine = (st: ReduceStage & { index: number }): string[] => {
    const s = st.index;
    if (S === 1) return [`let r${s}: ${wgslType(st.dtype)} = ${st.op === 'argmax' ? `ai${s}` : `a${s}`};`];
    const t = st.op === 'argmax' ? 'f32' : wgslType(st.dtype);
    shared.add(t);
    if (st.op === 'argmax') shared.add('i32');
    const sh = `px_sh_${t}`;
    const out = [st.op === 'argmax' ? `${sh}[lid] = a${s}; px_sh_i32[lid] = ai${s};` : `${sh}[lid] = a${s};`, 'workgroupBarrier();'];
    for (let w = S / 2; w >= 1; w /= 2) {
      const step =
        st.op === 'sum' ? [`${sh}[lid] = ${sh}[lid] + ${sh}[lid + ${w}u];`]
        : st.op === 'max' ? [`let b = ${sh}[lid + ${w}u];`, absorbMax(`${sh}[lid]`, 'b', st.dtype)]
        : [
            `let bv = ${sh}[lid + ${w}u]; let bi = px_sh_i32[lid + ${w}u]; let av = ${sh}[lid]; let ai = px_sh_i32[lid];`,
            'if (bv > av || (bv == av && bi < ai) || (bv != bv && (av == av || bi < ai))) { ' + `${sh}[lid] = bv; px_sh_i32[lid] = bi; }`,
          ];
      out.push(`if (px_s < ${w}) {`, ...indent(step), '}', 'workgroupBarrier();');
    }
    const base = `u32(px_c * ${S})`;
    out.push(`let r${s}: ${wgslType(st.dtype)} = ${st.op === 'argmax' ? `px_sh_i32[${base}]` : `${sh}[${base}]`};`, 'workgroupBarrier();');
    return out;
  };

  for (const pass of passesOf(k.stages)) {
    if (!Array.isArray(pass)) {
      row.push(`let r${pass.index}: ${wgslType(pass.dtype)} = ${printer.print(pass.expr, 1)};`);
      row.push(...storeRowValue(pass, `r${pass.index}`));
      continue;
    }
    const reduces = pass.filter((st): st is ReduceStage & { index: number } => st.kind === 'reduce');
    for (const st of reduces) {
      row.push(`var a${st.index}: ${st.op === 'argmax' ? 'f32' : wgslType(st.dtype)} = ${initial(st)};`);
      if (st.op === 'argmax') row.push(`var ai${st.index}: i32 = 0;`);
    }
    printer.blocks[2] = [...decomposeVars(printer, reducedShape, J, 2, (i) => loopVar(k.reduced[i]!))];
    const body = printer.blocks[2]!;
    for (const st of pass) {
      if (st.kind === 'innerMap') {
        for (const x of st.stores) {
          const v = printer.print(x.expr, 2);
          body.push(`if (px_valid) { ${printer.store(x.buffer, x.index, v, x.expr.dtype, 2)} }`);
        }
        continue;
      }
      const s = st.index;
      const x = printer.print(st.expr, 2);
      if (st.op === 'sum') body.push(`a${s} = a${s} + ${x};`);
      else if (st.op === 'max') body.push(absorbMax(`a${s}`, x, st.dtype));
      else {
        const xf = printer.cast(x, (st.expr as Expr).dtype, 'f32');
        body.push(`{ let x = ${xf}; if (x > a${s} || (x != x && a${s} == a${s})) { a${s} = x; ai${s} = ${J}; } }`);
      }
    }
    row.push(`for (var ${J}: i32 = ${S > 1 ? 'px_s' : '0'}; ${J} < ${R}; ${J} = ${J} + ${S}) {`, ...indent(body), '}');
    printer.closeLevelsAbove(1);
    for (const st of reduces) {
      row.push(...combine(st));
      row.push(...storeRowValue(st, `r${st.index}`));
    }
  }
  const groups = ceilDiv(rows, C);
  const bodyLines = [
    ...printer.constants,
    ...printer.blocks[0]!,
    ...(S > 1 ? [`let px_c = i32(lid) / ${S};`, `let px_s = i32(lid) % ${S};`] : ['let px_c = i32(lid);']),
    `for (var px_g: i32 = i32(wid.x); px_g < ${groups}; px_g = px_g + i32(nwg.x)) {`,
    ...indent([`let px_valid = px_g * ${C} + px_c < ${rows};`, `let ${ROW}: i32 = min(px_g * ${C} + px_c, ${rows - 1});`, ...row]),
    '}',
  ];
  const decls = [...shared].map((t) => `var<workgroup> px_sh_${t}: array<${t}, ${WG}>;`);
  const { wgsl, usesStatus, arenas } = shaderSource({ printers: [printer], workgroupSize: WG, body: bodyLines, decls });
  return { label, kernel, wgsl, usesStatus, arenas, workgroups: [Math.min(groups, MAX_GROUPS), 1, 1], workgroupBytes: 4 * WG * shared.size, invocations: WG };
}
