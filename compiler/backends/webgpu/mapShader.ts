import { unravelIndex, varIdx } from '../../kernel/indexExpr.ts';
import { type MapKernel, loopVar } from '../../kernel/kernel.ts';
import type { WordPlace } from './arenas.ts';
import { MAX_GROUPS, type ShaderSpec, ceilDiv, indent, shaderSource } from './shaderModule.ts';
import { type PrintEnv, WgslPrinter } from './wgslExpr.ts';

/** What every kernel's codegen needs from the program: buffer placement and index-check sites. */
export interface KernelContext {
  readonly place: (buffer: number) => WordPlace;
  readonly siteId: (site: string) => number;
}

const MAP_GROUP = 256;
const ELEMENT = 'px_e';

/** `let v<a>` for every axis of `space` from the linear element `linear` (an i32 variable). */
export function decomposeVars(printer: WgslPrinter, space: readonly number[], linear: string, level: number, names = loopVar): string[] {
  const total = space.reduce((a, b) => a * b, 1);
  const coords = unravelIndex(varIdx(linear, total), space);
  return coords.map((c, a) => `let ${names(a)}: i32 = ${printer.affine(c, level)};`);
}

/**
 * A map kernel: one invocation per element, in a grid-stride loop (any size fits the dispatch
 * limits); each element decomposes into the loop variables and runs every store.
 */
export function mapShader(k: MapKernel, ctx: KernelContext, label: string, kernel: number): ShaderSpec | undefined {
  const n = k.space.reduce((a, b) => a * b, 1);
  if (n === 0) return undefined;
  const env: PrintEnv = { ...ctx, varLevel: new Map([[ELEMENT, 1], ...k.space.map((_, a) => [loopVar(a), 1] as const)]) };
  const printer = new WgslPrinter(env, 1);
  printer.countUses(k.stores.map((s) => s.expr));
  const vars = decomposeVars(printer, k.space, ELEMENT, 1);
  for (const s of k.stores) printer.blocks[1]!.push(printer.store(s.buffer, s.index, printer.print(s.expr, 1), s.expr.dtype, 1));
  const body = [
    ...printer.constants,
    ...printer.blocks[0]!,
    `for (var ${ELEMENT}: i32 = i32(gid.x); ${ELEMENT} < ${n}; ${ELEMENT} = ${ELEMENT} + i32(nwg.x) * ${MAP_GROUP}) {`,
    ...indent([...vars, ...printer.blocks[1]!]),
    '}',
  ];
  const { wgsl, usesStatus, arenas } = shaderSource({ printers: [printer], workgroupSize: MAP_GROUP, body });
  return { label, kernel, wgsl, usesStatus, arenas, workgroups: [Math.min(ceilDiv(n, MAP_GROUP), MAX_GROUPS), 1, 1], workgroupBytes: 0, invocations: MAP_GROUP };
}
