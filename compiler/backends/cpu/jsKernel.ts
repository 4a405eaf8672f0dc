import { ERF32_JS_SOURCE } from '../../ir/erf.ts';
import { THREEFRY_JS_SOURCE } from '../../../prng/threefry.ts';
import type { Expr } from '../../kernel/expr.ts';
import { linearIndex, varIdx } from '../../kernel/indexExpr.ts';
import type { MapKernel, RowKernel, ScatterKernel, Store } from '../../kernel/kernel.ts';
import { loopVar } from '../../kernel/kernel.ts';
import { type BufferLocation, type Helper, JsExprPrinter } from './jsExpr.ts';

/**
 * A generated kernel: the body of `function (F32, I32, U32, U8, start, end)` that computes work
 * units [start, end) — rows of the outermost loop — over typed-array views of the arena.
 */
export interface JsKernelSource {
  readonly body: string;
  /** Number of work units (the outermost loop's extent) the runtime may split across threads. */
  readonly units: number;
}

const HELPER_SOURCES: Record<Helper, string> = {
  erf32: ERF32_JS_SOURCE,
  threefry: THREEFRY_JS_SOURCE,
  oob: `function __idx(v, n, site) {
  if (v >= 0 && v < n) return v;
  throw new RangeError('IndexError: index ' + v + ' out of range [0, ' + n + ')' + (site ? ' (' + site + ')' : ''));
}`,
  mod: 'function __mod(a, b) { return b === 0 ? 0 : a % b; }',
};

function assemble(printer: JsExprPrinter, loops: string[]): string {
  const helpers = [...printer.helpers].map((h) => HELPER_SOURCES[h]);
  return ['const fr = Math.fround;', ...helpers, ...printer.constants, ...loops].join('\n');
}

/** Wraps block contents in nested loops: level L loops axis L-1 of `extents` (outermost from start to end). */
function nest(printer: JsExprPrinter, levels: readonly { name: string; extent: number }[], outermostFromRange: boolean, base: number): string[] {
  let inner: string[] = printer.blocks[base + levels.length]!;
  for (let L = levels.length; L >= 1; L--) {
    const { name, extent } = levels[L - 1]!;
    const ranged = outermostFromRange && L === 1;
    const head = ranged ? `for (let ${name} = start; ${name} < end; ${name}++) {` : `for (let ${name} = 0; ${name} < ${extent}; ${name}++) {`;
    inner = [...printer.blocks[base + L - 1]!, head, ...inner.map((l) => `  ${l}`), '}'];
  }
  return inner;
}

function storeLine(printer: JsExprPrinter, location: (b: number) => BufferLocation, s: Store, level: number, value?: string): string {
  const loc = location(s.buffer);
  return `${loc.view}[${loc.offset} + ${printer.affine(s.index, level)}] = ${value ?? printer.print(s.expr, level)};`;
}

/** A map kernel: nested loops over its space, one store per output per element. */
export function mapKernelSource(k: MapKernel, location: (b: number) => BufferLocation): JsKernelSource {
  const r = k.space.length;
  const varLevel = new Map(k.space.map((_, i) => [loopVar(i), i + 1] as const));
  const printer = new JsExprPrinter(location, varLevel);
  for (let L = 0; L <= r; L++) printer.blocks.push([]);
  printer.countUses(k.stores.map((s) => s.expr));
  for (const s of k.stores) printer.blocks[r]!.push(storeLine(printer, location, s, r));
  if (r === 0) return { body: assemble(printer, ['if (start === 0) {', ...printer.blocks[0]!.map((l) => `  ${l}`), '}']), units: 1 };
  const levels = k.space.map((d, i) => ({ name: loopVar(i), extent: d }));
  return { body: assemble(printer, nest(printer, levels, true, 0)), units: k.space[0]! };
}

/**
 * A row kernel: loops over the kept axes; per row, each stage loops over the reduced axes
 * (reductions keep their accumulator in a local, maps store per element).
 */
export function rowKernelSource(k: RowKernel, location: (b: number) => BufferLocation): JsKernelSource {
  const kept = k.space.map((_, i) => i).filter((i) => !k.reduced.includes(i));
  const K = kept.length;
  const R = k.reduced.length;
  const varLevel = new Map<string, number>();
  kept.forEach((a, i) => varLevel.set(loopVar(a), i + 1));
  k.reduced.forEach((a, i) => varLevel.set(loopVar(a), K + i + 1));
  const printer = new JsExprPrinter(location, varLevel, K);
  for (let L = 0; L <= K + R; L++) printer.blocks.push([]);
  const roots: Expr[] = k.stages.flatMap((s) => (s.kind === 'innerMap' ? s.stores.map((x) => x.expr) : [s.expr]));
  printer.countUses(roots);
  const innerLevels = k.reduced.map((a) => ({ name: loopVar(a), extent: k.space[a]! }));
  const reducedShape = k.reduced.map((a) => k.space[a]!);
  const reducedLinear = linearIndex(k.reduced.map((a) => varIdx(loopVar(a), k.space[a]!)), reducedShape);

  /** Emits one pass over the reduced axes whose innermost body is `body(level)`. */
  const innerPass = (body: (level: number) => string[]) => {
    for (let L = K + 1; L <= K + R; L++) printer.blocks[L] = [];
    const lines = body(K + R);
    printer.blocks[K + R]!.push(...lines);
    const loops = R === 0 ? printer.blocks[K]!.splice(0) : nestFrom(printer, innerLevels, K);
    if (R === 0) printer.blocks[K]!.push(...loops);
    else printer.blocks[K]!.push(...loops);
    printer.closeLevelsAbove(K);
  };

  k.stages.forEach((stage, s) => {
    if (stage.kind === 'reduce') {
      if (stage.op === 'sum') {
        printer.blocks[K]!.push(`let r${s} = 0;`);
        innerPass((L) => [`r${s} += ${printer.print(stage.expr, L)};`]);
      } else if (stage.op === 'max') {
        printer.blocks[K]!.push(`let r${s} = -Infinity;`);
        innerPass((L) => {
          const v = printer.print(stage.expr, L);
          return [`{ const x = ${v}; if (x > r${s} || x !== x) r${s} = x; }`];
        });
      } else {
        printer.blocks[K]!.push(`let r${s} = 0, r${s}max = -Infinity;`);
        innerPass((L) => {
          const v = printer.print(stage.expr, L);
          const j = printer.affine(reducedLinear, L);
          return [`{ const x = ${v}; if (x > r${s}max || (x !== x && r${s}max === r${s}max)) { r${s}max = x; r${s} = ${j}; } }`];
        });
      }
      if (stage.op === 'sum') {
        // accumulate in double, then round (f32) or wrap (integers) once
        const fix = { f32: `fr(r${s})`, i32: `r${s} | 0`, u32: `r${s} >>> 0`, bool: `r${s}` }[stage.dtype];
        printer.blocks[K]!.push(`r${s} = ${fix};`);
      }
      if (stage.store) printer.blocks[K]!.push(storeLine(printer, location, { ...stage.store, expr: stage.expr }, K, `r${s}`));
    } else if (stage.kind === 'rowMap') {
      printer.blocks[K]!.push(`const r${s} = ${printer.print(stage.expr, K)};`);
      if (stage.store) printer.blocks[K]!.push(storeLine(printer, location, { ...stage.store, expr: stage.expr }, K, `r${s}`));
    } else {
      innerPass((L) => stage.stores.map((st) => storeLine(printer, location, st, L)));
    }
  });

  const keptLevels = kept.map((a) => ({ name: loopVar(a), extent: k.space[a]! }));
  if (K === 0) return { body: assemble(printer, ['if (start === 0) {', ...printer.blocks[0]!.map((l) => `  ${l}`), '}']), units: 1 };
  return { body: assemble(printer, nest(printer, keptLevels, true, 0)), units: k.space[kept[0]!]! };
}

/** Nested loops for levels base+1..base+n, returned as lines (blocks base+1.. are consumed). */
function nestFrom(printer: JsExprPrinter, levels: readonly { name: string; extent: number }[], base: number): string[] {
  let inner: string[] = printer.blocks[base + levels.length]!;
  for (let L = levels.length; L >= 1; L--) {
    const { name, extent } = levels[L - 1]!;
    const head = `for (let ${name} = 0; ${name} < ${extent}; ${name}++) {`;
    const outer = L === 1 ? [] : printer.blocks[base + L - 1]!;
    inner = [...outer, head, ...inner.map((l) => `  ${l}`), '}'];
  }
  return inner;
}

/** A scatter-add: zero the output, then accumulate every update (one thread: updates may collide). */
export function scatterKernelSource(k: ScatterKernel, location: (b: number) => BufferLocation): JsKernelSource {
  const r = k.space.length;
  const varLevel = new Map(k.space.map((_, i) => [loopVar(i), i + 1] as const));
  const printer = new JsExprPrinter(location, varLevel);
  for (let L = 0; L <= r; L++) printer.blocks.push([]);
  printer.countUses([k.value]);
  const out = location(k.out);
  const target = printer.affine(k.target, r);
  printer.blocks[r]!.push(`${out.view}[${out.offset} + ${target}] += ${printer.print(k.value, r)};`);
  const levels = k.space.map((d, i) => ({ name: loopVar(i), extent: d }));
  const loops = r === 0 ? printer.blocks[0]! : nest(printer, levels, false, 0);
  const zero = `${out.view}.fill(0, ${out.offset}, ${out.offset + k.outSize});`;
  return { body: assemble(printer, ['if (start !== 0) return;', zero, ...loops]), units: 1 };
}
