import { ERF32_JS_SOURCE } from '../../ir/erf.ts';
import { THREEFRY_JS_SOURCE } from '../../../prng/threefry.ts';
import type { Expr } from '../../kernel/expr.ts';
import { linearIndex, varIdx } from '../../kernel/indexExpr.ts';
import type { InnerMapStage, MapKernel, ReduceStage, RowKernel, RowMapStage, RowStage, ScatterKernel, Store } from '../../kernel/kernel.ts';
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
  // exp by range reduction: 2^n from a table, 2^f by a degree-7 polynomial (relative error < 1e-8).
  exp32: `const EXP2_TABLE = Float64Array.from({ length: 300 }, (_, i) => 2 ** (i - 150));
function exp32(x) {
  if (!(x < 88.72283935546875)) return x !== x ? NaN : Infinity;
  if (x < -103.97) return 0;
  const t = x * 1.4426950408889634, n = Math.round(t), r = (t - n) * 0.6931471805599453;
  return EXP2_TABLE[n + 150] * (1 + r * (1 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * (0.008333333333333333 + r * (0.001388888888888889 + r * 0.0001984126984126984)))))));
}`,
  // Math.tanh is slow in V8; this rational fit (Eigen's float tanh) is within 3e-7 and 3x faster.
  // Beyond its range (|x| > 7.9, where it would stop short of ±1 in double) Math.tanh takes over.
  tanh32: `function tanh32(x) {
  if (x > 7.90531110763549805 || x < -7.90531110763549805) return Math.tanh(x);
  const c = x;
  const x2 = c * c;
  const p = c * (4.89352455891786e-3 + x2 * (6.37261928875436e-4 + x2 * (1.48572235717979e-5 + x2 * (5.12229709037114e-8 +
    x2 * (-8.60467152213735e-11 + x2 * (2.00018790482477e-13 + x2 * -2.76076847742355e-16))))));
  return p / (4.89352518554385e-3 + x2 * (2.26843463243900e-3 + x2 * (1.18534705686654e-4 + x2 * 1.19825839466702e-6)));
}`,
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

/** Row values (stage indices) an expression reads. */
function rowValuesOf(e: Expr, out = new Set<number>(), seen = new Set<Expr>()): Set<number> {
  if (seen.has(e)) return out;
  seen.add(e);
  if (e.k === 'rowValue') out.add(e.stage);
  for (const v of Object.values(e)) {
    if (v && typeof v === 'object') {
      if ('k' in v) rowValuesOf(v as Expr, out, seen);
      else if ('terms' in v) for (const t of (v as { terms: { atom: { kind: string; expr?: Expr; a?: unknown } }[] }).terms) if (t.atom.expr) rowValuesOf(t.atom.expr, out, seen);
    }
  }
  return out;
}

export type LoopStage = (ReduceStage | InnerMapStage) & { index: number };
/** Stages grouped into passes over the row: a stage joins the current pass unless it reads a row value the pass computes. */
export function passesOf(stages: readonly RowStage[]): (LoopStage[] | (RowMapStage & { index: number }))[] {
  const out: (LoopStage[] | (RowMapStage & { index: number }))[] = [];
  let current: LoopStage[] | undefined;
  stages.forEach((st, index) => {
    if (st.kind === 'rowMap') {
      current = undefined;
      out.push({ ...st, index });
      return;
    }
    const exprs = st.kind === 'reduce' ? [st.expr] : st.stores.map((x) => x.expr);
    const reads = new Set<number>();
    exprs.forEach((e) => rowValuesOf(e, reads));
    if (!current || current.some((c) => reads.has(c.index))) {
      current = [];
      out.push(current);
    }
    current.push({ ...st, index });
  });
  return out;
}

/**
 * A row kernel: per row (combination of kept axes), its stages run in passes over the reduced
 * axes; independent stages share a pass (and their common subexpressions). When the reduced axes
 * all precede the kept ones (bias and LayerNorm gradients: sums over batch and sequence), the
 * loops run in memory order instead, with a vector of accumulators over the kept axes.
 */
export function rowKernelSource(k: RowKernel, location: (b: number) => BufferLocation): JsKernelSource {
  const kept = k.space.map((_, i) => i).filter((i) => !k.reduced.includes(i));
  const columnMode = kept.length > 0 && k.reduced.every((a) => a < kept[0]!) && k.stages.every((s) => s.kind !== 'reduce' || s.op !== 'argmax');
  return columnMode ? columnKernelSource(k, kept, location) : rowMajorKernelSource(k, kept, location);
}

function rowMajorKernelSource(k: RowKernel, kept: readonly number[], location: (b: number) => BufferLocation): JsKernelSource {
  const K = kept.length;
  const R = k.reduced.length;
  const varLevel = new Map<string, number>();
  kept.forEach((a, i) => varLevel.set(loopVar(a), i + 1));
  k.reduced.forEach((a, i) => varLevel.set(loopVar(a), K + i + 1));
  const printer = new JsExprPrinter(location, varLevel, K);
  for (let L = 0; L <= K + R; L++) printer.blocks.push([]);
  printer.countUses(k.stages.flatMap((s) => (s.kind === 'innerMap' ? s.stores.map((x) => x.expr) : [s.expr])));
  const innerLevels = k.reduced.map((a) => ({ name: loopVar(a), extent: k.space[a]! }));
  const reducedLinear = linearIndex(k.reduced.map((a) => varIdx(loopVar(a), k.space[a]!)), k.reduced.map((a) => k.space[a]!));
  const row = printer.blocks[K]!;

  for (const pass of passesOf(k.stages)) {
    if (!Array.isArray(pass)) {
      row.push(`const r${pass.index} = ${printer.print(pass.expr, K)};`);
      if (pass.store) row.push(storeLine(printer, location, { ...pass.store, expr: pass.expr }, K, `r${pass.index}`));
      continue;
    }
    for (const st of pass) {
      if (st.kind !== 'reduce') continue;
      row.push(st.op === 'sum' ? `let r${st.index} = 0;` : st.op === 'max' ? `let r${st.index} = -Infinity;` : `let r${st.index} = 0, r${st.index}max = -Infinity;`);
    }
    for (let L = K + 1; L <= K + R; L++) printer.blocks[L] = [];
    const L = K + R;
    const body = printer.blocks[L]!;
    for (const st of pass) {
      const s = st.index;
      if (st.kind === 'innerMap') {
        st.stores.forEach((x) => body.push(storeLine(printer, location, x, L)));
      } else if (st.op === 'sum') body.push(`r${s} += ${printer.print(st.expr, L)};`);
      else if (st.op === 'max') body.push(`{ const x = ${printer.print(st.expr, L)}; if (x > r${s} || x !== x) r${s} = x; }`);
      else {
        body.push(`{ const x = fr(${printer.print(st.expr, L)}); if (x > r${s}max || (x !== x && r${s}max === r${s}max)) { r${s}max = x; r${s} = ${printer.affine(reducedLinear, L)}; } }`);
      }
    }
    row.push(...nestFrom(printer, innerLevels, K));
    printer.closeLevelsAbove(K);
    for (const st of pass) {
      if (st.kind !== 'reduce') continue;
      const s = st.index;
      // accumulate in double, then round (f32) or wrap (integers) once
      if (st.op !== 'argmax') row.push(`r${s} = ${{ f32: `fr(r${s})`, i32: `r${s} | 0`, u32: `r${s} >>> 0`, bool: `r${s}` }[st.dtype]};`);
      if (st.store) row.push(storeLine(printer, location, { ...st.store, expr: st.expr }, K, `r${s}`));
    }
  }
  if (K === 0) return { body: assemble(printer, ['if (start === 0) {', ...printer.blocks[0]!.map((l) => `  ${l}`), '}']), units: 1 };
  const keptLevels = kept.map((a) => ({ name: loopVar(a), extent: k.space[a]! }));
  return { body: assemble(printer, nest(printer, keptLevels, true, 0)), units: k.space[kept[0]!]! };
}

/**
 * Column mode: reduced axes outermost, kept axes innermost (memory order); row values live in
 * Float64Array accumulators indexed by the kept position. Threads split the first kept axis.
 */
function columnKernelSource(k: RowKernel, kept: readonly number[], location: (b: number) => BufferLocation): JsKernelSource {
  const K = kept.length;
  const R = k.reduced.length;
  const keptShape = kept.map((a) => k.space[a]!);
  const keptCount = keptShape.reduce((a, b) => a * b, 1);
  const keptLinear = linearIndex(kept.map((a) => varIdx(loopVar(a), k.space[a]!)), keptShape);
  const varLevel = new Map<string, number>();
  k.reduced.forEach((a, i) => varLevel.set(loopVar(a), i + 1));
  kept.forEach((a, i) => varLevel.set(loopVar(a), R + i + 1));
  let printer!: JsExprPrinter;
  const acc = (s: number) => `acc${s}[${printer.affine(keptLinear, R + K)}]`;
  printer = new JsExprPrinter(location, varLevel, R + K, acc);
  for (let L = 0; L <= R + K; L++) printer.blocks.push([]);
  printer.countUses(k.stages.flatMap((s) => (s.kind === 'innerMap' ? s.stores.map((x) => x.expr) : [s.expr])));
  const top = printer.blocks[0]!;

  /** Loops (kept axes only, or reduced then kept) around a body built at the innermost level. */
  const loopNest = (withReduced: boolean, body: (L: number, emit: (line: string) => void) => void) => {
    const levels = [
      ...(withReduced ? k.reduced.map((a, i) => ({ name: loopVar(a), extent: k.space[a]!, ranged: false, level: i + 1 })) : []),
      ...kept.map((a, i) => ({ name: loopVar(a), extent: k.space[a]!, ranged: i === 0, level: R + i + 1 })),
    ];
    for (let L = 1; L <= R + K; L++) printer.blocks[L] = [];
    // statements go into the innermost block in order, each after the bindings it made (a later
    // statement may read what an earlier one stored at the same element)
    const innermost = printer.blocks[R + K]!;
    body(R + K, (line) => innermost.push(line));
    let lines = [...innermost];
    for (let i = levels.length - 1; i >= 0; i--) {
      const { name, extent, ranged, level } = levels[i]!;
      const head = ranged ? `for (let ${name} = start; ${name} < end; ${name}++) {` : `for (let ${name} = 0; ${name} < ${extent}; ${name}++) {`;
      lines = [...(i === 0 ? [] : printer.blocks[level - 1]!.splice(0)), head, ...lines.map((l) => `  ${l}`), '}'];
      if (i === 0 && level - 1 > 0) lines = [...printer.blocks[level - 1]!.splice(0), ...lines];
    }
    top.push(...lines);
    printer.closeLevelsAbove(0);
  };

  for (const st of k.stages) {
    if (st.kind !== 'innerMap') top.push(`const acc${k.stages.indexOf(st)} = new Float64Array(${keptCount});`);
  }
  for (const pass of passesOf(k.stages)) {
    if (!Array.isArray(pass)) {
      loopNest(false, (L, emit) => {
        emit(`${acc(pass.index)} = ${printer.print(pass.expr, L)};`);
        if (pass.store) emit(storeLine(printer, location, { ...pass.store, expr: pass.expr }, L, acc(pass.index)));
      });
      continue;
    }
    for (const st of pass) if (st.kind === 'reduce' && st.op === 'max') top.push(`acc${st.index}.fill(-Infinity);`);
    loopNest(true, (L, emit) => {
      for (const st of pass) {
        if (st.kind === 'innerMap') {
          for (const x of st.stores) emit(storeLine(printer, location, x, L));
          continue;
        }
        const a = acc(st.index);
        emit(st.op === 'sum' ? `${a} += ${printer.print(st.expr, L)};` : `{ const x = ${printer.print(st.expr, L)}; if (x > ${a} || x !== x) ${a} = x; }`);
      }
    });
    const reduces = pass.filter((st): st is ReduceStage & { index: number } => st.kind === 'reduce');
    if (reduces.length) {
      loopNest(false, (L, emit) => {
        for (const st of reduces) {
          const a = acc(st.index);
          emit(`${a} = ${{ f32: `fr(${a})`, i32: `${a} | 0`, u32: `${a} >>> 0`, bool: a }[st.dtype]};`);
          if (st.store) emit(storeLine(printer, location, { ...st.store, expr: st.expr }, L, a));
        }
      });
    }
  }
  return { body: assemble(printer, top), units: k.space[kept[0]!]! };
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
