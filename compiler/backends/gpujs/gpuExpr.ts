import type { DType } from '../../ir/dtype.ts';
import type { Expr } from '../../kernel/expr.ts';
import type { Affine, Atom } from '../../kernel/indexExpr.ts';
import { GpujsUnsupportedError } from './errors.ts';
import type { HelperName } from './helpers.ts';
import { type IntOps, intOps } from './intOps.ts';
import type { GpujsMode } from './modes.ts';
import type { Repr } from './repr.ts';

/** A loop variable's Integer-typed code and the loop level it is defined at (0 = kernel top). */
export interface VarBinding {
  readonly code: string;
  readonly level: number;
}

export interface PrintEnv {
  readonly mode: GpujsMode;
  /** The value slot holding a program buffer, and a slot's layout. */
  slotOfBuffer(buffer: number): number;
  slotRepr(slot: number): Repr;
  readonly vars: ReadonlyMap<string, VarBinding>;
  /** Where row value `stage` lives (row kernels): its slot and the row's index (over kept axes). */
  rowValue?(stage: number): { slot: number; index: Affine };
}

/** Placeholder for a slot's array argument; replaced once the kernel's argument list is known. */
export const slotRef = (slot: number): string => `\u00a7${slot}\u00a7`;
export const SLOT_REF_PATTERN = /\u00a7(\d+)\u00a7\[/g;

const isInt = (d: DType): boolean => d === 'i32' || d === 'u32';

/** A float literal (f32 value). */
export function floatLit(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return 'pxNaN(-1)';
  if (f === Infinity) return 'Infinity';
  if (f === -Infinity) return '(-Infinity)';
  if (Object.is(f, -0)) return '(-0)';
  return f < 0 ? `(${f})` : String(f);
}

/**
 * Prints kernel expressions as gpu.js kernel source (the JavaScript subset gpu.js transpiles),
 * binding shared and loop-invariant subexpressions to locals in the outermost block where their
 * inputs are known, like the CPU backend's printer. f32 and bool values are gpu.js Numbers (bool
 * as 0/1); i32 and u32 values are Integer-typed int32 bit patterns, and a bound integer takes two
 * float locals (its 16-bit halves; see helpers.ts for why).
 */
export class GpuExprPrinter {
  private readonly names = new Map<Expr, string>();
  private readonly depths = new Map<Expr, number>();
  private readonly uses = new Map<Expr, number>();
  private counter = 0;
  /** Statement lists per loop level. */
  readonly blocks: string[][] = [];
  readonly helpers = new Set<HelperName>();
  /** Slots the printed code reads. */
  readonly slots = new Set<number>();
  /** Integer operators in this mode's dialect. */
  readonly ops: IntOps;

  constructor(
    private readonly env: PrintEnv,
    levels: number,
    /** Prefix of bound locals (printers sharing one kernel use different ones). */
    private readonly prefix = 't',
  ) {
    for (let l = 0; l <= levels; l++) this.blocks.push([]);
    this.ops = intOps(env.mode, (h) => this.helpers.add(h));
  }

  get mode(): GpujsMode {
    return this.env.mode;
  }

  private fresh(): string {
    return `${this.prefix}${this.counter++}`;
  }

  /** Registers root expressions (counts uses so shared subexpressions are bound once). */
  countUses(roots: readonly Expr[]): void {
    const visit = (e: Expr) => {
      const n = (this.uses.get(e) ?? 0) + 1;
      this.uses.set(e, n);
      if (n > 1) return;
      for (const c of children(e)) visit(c);
    };
    roots.forEach(visit);
  }

  depth(e: Expr): number {
    let d = this.depths.get(e);
    if (d !== undefined) return d;
    switch (e.k) {
      case 'const': d = 0; break;
      case 'rowValue': d = 0; break;
      case 'load': case 'index': case 'inRange': d = this.affineDepth(e.index); break;
      case 'random': d = this.affineDepth(e.counter); break;
      default: d = Math.max(0, ...children(e).map((c) => this.depth(c)));
    }
    this.depths.set(e, d);
    return d;
  }

  affineDepth(a: Affine): number {
    let d = 0;
    for (const t of a.terms) d = Math.max(d, this.atomDepth(t.atom));
    return d;
  }
  private atomDepth(a: Atom): number {
    switch (a.kind) {
      case 'var': return this.varOf(a.name).level;
      case 'value': return this.depth(a.expr);
      case 'div': case 'mod': return this.affineDepth(a.a);
    }
  }

  private varOf(name: string): VarBinding {
    const v = this.env.vars.get(name);
    if (!v) throw new GpujsUnsupportedError(`loop variable ${name}`, this.env.mode, 'not bound in this kernel (internal error)');
    return v;
  }

  /** Integer-typed code for an index. */
  affine(a: Affine, level: number): string {
    if (a.terms.length === 0) return this.ops.lit(a.c);
    const parts = a.terms.map((t) => {
      const atom = this.atom(t.atom, level);
      return t.coef === 1 ? atom : `(${t.coef} * ${atom})`;
    });
    if (a.c !== 0) parts.push(String(a.c));
    return parts.length === 1 ? parts[0]! : `(${parts.join(' + ')})`;
  }

  private atom(a: Atom, level: number): string {
    switch (a.kind) {
      case 'var': return this.varOf(a.name).code;
      case 'value': return this.smallInt(a.expr);
      case 'div': return this.call(a.d < 2 ** 23 ? 'pxIdivS' : 'pxIdivL', this.affine(a.a, level), this.ops.lit(a.d));
      case 'mod': return this.call(a.d < 2 ** 23 ? 'pxImodS' : 'pxImodL', this.affine(a.a, level), this.ops.lit(a.d));
    }
  }

  call(h: HelperName, ...args: string[]): string {
    this.helpers.add(h);
    return `${h}(${args.join(', ')})`;
  }

  /** Code reading element `index` of `slot` with the slot's layout (Integer code for 'i'). */
  loadSlot(slot: number, index: string): string {
    this.slots.add(slot);
    const ref = slotRef(slot);
    if (this.env.slotRepr(slot) === 'f') return `${ref}[${index}]`;
    return this.ops.join(`${ref}[(2 * ${index} + 1)]`, `${ref}[(2 * ${index})]`);
  }

  private worthBinding(e: Expr, level: number): boolean {
    if (e.k === 'const' || e.k === 'index') return false;
    return (this.uses.get(e) ?? 0) > 1 || this.depth(e) < level;
  }

  /** Binds code of a dtype to locals at `level`, returning how to read it. */
  bind(code: string, dtype: DType, level: number): string {
    const name = this.fresh();
    const block = this.blocks[level]!;
    if (!isInt(dtype)) {
      block.push(`let ${name} = ${code};`);
      return name;
    }
    block.push(`let ${name}h = ${this.ops.hi(code)};`, `let ${name}l = ${this.ops.lo(code)};`);
    return this.ops.join(`${name}h`, `${name}l`);
  }

  /**
   * A gathered index (checked, so in [0, extent) and exact in one float) bound to a local. Besides
   * sharing it, this keeps texture reads out of other reads' index expressions, which gpu.js's
   * GLSL would hoist into a float variable its own int-typed lookup then rejects.
   */
  private smallInt(e: Expr): string {
    const bound = this.names.get(e);
    if (bound) return bound;
    const d = this.depth(e);
    const name = this.fresh();
    this.blocks[d]!.push(`let ${name} = ${this.raw(e, d)};`);
    const code = this.ops.toInt(name);
    this.names.set(e, code);
    return code;
  }

  /** The expression's value at loop depth `level` (bound to a local when worthwhile). */
  print(e: Expr, level: number): string {
    const bound = this.names.get(e);
    if (bound) return bound;
    if (this.worthBinding(e, level)) {
      const d = this.depth(e);
      const name = this.bind(this.raw(e, d), e.dtype, d);
      this.names.set(e, name);
      return name;
    }
    return this.raw(e, level);
  }

  /** Forgets locals bound deeper than `level` (their block has been closed). */
  closeLevelsAbove(level: number): void {
    for (const e of [...this.names.keys()]) if (this.depth(e) > level) this.names.delete(e);
  }

  private raw(e: Expr, level: number): string {
    const p = (x: Expr) => this.print(x, level);
    switch (e.k) {
      case 'const': return isInt(e.dtype) ? this.ops.lit(e.value) : floatLit(e.dtype === 'bool' ? (e.value ? 1 : 0) : e.value);
      case 'rowValue': {
        const rv = this.env.rowValue?.(e.stage);
        if (!rv) throw new GpujsUnsupportedError('rowValue', this.env.mode, 'read outside a row kernel (internal error)');
        return this.loadSlot(rv.slot, this.affine(rv.index, 0));
      }
      case 'index': return this.cast(this.affine(e.index, level), 'i32', e.dtype);
      case 'load': return this.loadSlot(this.env.slotOfBuffer(e.buffer), this.affine(e.index, level));
      case 'inRange': {
        const i = this.affine(e.index, level);
        return `(${i} >= ${e.lo} ? (${i} < ${e.hi} ? 1 : 0) : 0)`;
      }
      case 'random': {
        const key = this.env.slotOfBuffer(e.keyBuffer);
        const c = this.affine(e.counter, level);
        const o = this.ops;
        return this.call('pxTf', this.loadSlot(key, o.lit(0)), this.loadSlot(key, o.lit(1)), o.wrap(`(${o.lit(e.offset)} + ${o.ushr(c, '1')})`), o.lit(e.tag), o.and(c, o.lit(1)));
      }
      case 'checkIndex': return this.call('pxClamp', p(e.value), this.ops.lit(e.extent));
      case 'select': return `(${p(e.cond)} !== 0 ? ${p(e.a)} : ${p(e.b)})`;
      case 'cast': return this.cast(p(e.a), e.from, e.dtype);
      case 'unary': return this.unary(e.op, p(e.a), e.a.dtype, e.dtype);
      case 'binary': return this.binary(e.op, e.a, e.b, p(e.a), p(e.b), e.operandDType, e.dtype);
    }
  }

  /** Value conversion (castScalar's semantics) between the printed forms of two dtypes. */
  cast(x: string, from: DType, to: DType): string {
    if (from === to) return x;
    if (to === 'bool') return `(${x} !== 0 ? 1 : 0)`;
    if (isInt(from) && isInt(to)) return x;
    if (isInt(from)) return this.call(from === 'u32' ? 'pxU2f' : 'pxI2f', x); // to f32 (bool handled above)
    // f32 -> i32/u32 truncates and wraps modulo 2^32 like castScalar (WGSL's i32() would saturate)
    if (isInt(to)) return this.call(from === 'bool' ? 'pxB2i' : 'pxF2u', x);
    return x; // bool <-> f32
  }

  private unary(op: string, a: string, from: DType, dtype: DType): string {
    if (isInt(dtype)) {
      const u = dtype === 'u32';
      const o = this.ops;
      switch (op) {
        case 'neg': return o.wrap(`(-${a})`);
        case 'abs': return u ? a : `(${a} < 0 ? ${o.wrap(`(-${a})`)} : ${a})`;
        case 'sign': return u ? `(${a} !== 0 ? ${o.lit(1)} : ${o.lit(0)})` : `(${a} > 0 ? ${o.lit(1)} : (${a} < 0 ? ${o.lit(-1)} : ${o.lit(0)}))`;
        case 'not': return `(${a} !== 0 ? ${o.lit(0)} : ${o.lit(1)})`;
      }
      // float-valued ops on integers: compute in float, convert back (as the interpreter stores them)
      return this.cast(this.unary(op, this.cast(a, from, 'f32'), 'f32', 'f32'), 'f32', dtype);
    }
    if (isInt(from)) a = this.cast(a, from, 'f32');
    switch (op) {
      case 'neg': return `(-${a})`;
      case 'exp': return `Math.exp(${a})`;
      case 'log': return `Math.log(${a})`;
      case 'log1p': return `Math.log1p(${a})`;
      case 'sqrt': return `Math.sqrt(${a})`;
      case 'rsqrt': return `(1 / Math.sqrt(${a}))`;
      case 'tanh': return this.call('pxTanh', a);
      case 'erf': return this.call('pxErf', a);
      case 'abs': return `Math.abs(${a})`;
      case 'sign': return `Math.sign(${a})`;
      case 'reciprocal': return `(1 / ${a})`;
      case 'sin': return `Math.sin(${a})`;
      case 'cos': return `Math.cos(${a})`;
      case 'not': return `(${a} !== 0 ? 0 : 1)`;
    }
    throw new GpujsUnsupportedError(`unary ${op}`, this.env.mode, 'no gpu.js lowering');
  }

  private binary(op: string, ea: Expr, eb: Expr, a: string, b: string, d: DType, dtype: DType): string {
    if (isInt(d)) return this.intBinary(op, ea, eb, a, b, d, dtype);
    switch (op) {
      case 'add': return `(${a} + ${b})`;
      case 'sub': return `(${a} - ${b})`;
      case 'mul': return `(${a} * ${b})`;
      case 'div': return `(${a} / ${b})`;
      case 'pow': return this.call('pxPow', a, b);
      case 'max': return `Math.max(${a}, ${b})`;
      case 'min': return `Math.min(${a}, ${b})`;
      case 'mod': return this.call('pxFmod', a, b);
      case 'lt': return `(${a} < ${b} ? 1 : 0)`;
      case 'le': return `(${a} <= ${b} ? 1 : 0)`;
      case 'gt': return `(${a} > ${b} ? 1 : 0)`;
      case 'ge': return `(${a} >= ${b} ? 1 : 0)`;
      case 'eq': return `(${a} === ${b} ? 1 : 0)`;
      case 'ne': return `(${a} !== ${b} ? 1 : 0)`;
    }
    if (d === 'bool') {
      switch (op) {
        case 'and': return `(${a} * ${b})`;
        case 'or': return `Math.max(${a}, ${b})`;
        case 'xor': return `(${a} !== ${b} ? 1 : 0)`;
      }
    }
    // bit operations on floats: JavaScript converts to int32 first
    return this.cast(this.intBinary(op, ea, eb, this.call('pxF2u', a), this.call('pxF2u', b), 'i32', 'i32'), 'i32', dtype);
  }

  private intBinary(op: string, _ea: Expr, eb: Expr, a: string, b: string, d: DType, dtype: DType): string {
    const u = d === 'u32';
    const ult = (x: string, y: string) => this.call('pxUlt', x, y);
    const asDtype = (x: string) => (isInt(dtype) ? x : this.cast(x, d, dtype));
    const o = this.ops;
    switch (op) {
      case 'add': return o.wrap(`(${a} + ${b})`);
      case 'sub': return o.wrap(`(${a} - ${b})`);
      case 'mul': return this.call('pxImul', a, b);
      case 'and': return o.and(a, b);
      case 'or': return o.or(a, b);
      case 'xor': return o.xor(a, b);
      case 'shl': return o.shl(a, b);
      case 'shr': return u ? o.ushr(a, b) : o.shr(a, b);
      case 'eq': return `(${a} === ${b} ? 1 : 0)`;
      case 'ne': return `(${a} !== ${b} ? 1 : 0)`;
      case 'lt': return u ? `(${ult(a, b)} === 1 ? 1 : 0)` : `(${a} < ${b} ? 1 : 0)`;
      case 'gt': return u ? `(${ult(b, a)} === 1 ? 1 : 0)` : `(${a} > ${b} ? 1 : 0)`;
      case 'le': return u ? `(${ult(b, a)} === 0 ? 1 : 0)` : `(${a} <= ${b} ? 1 : 0)`;
      case 'ge': return u ? `(${ult(a, b)} === 0 ? 1 : 0)` : `(${a} >= ${b} ? 1 : 0)`;
      case 'max': return u ? `(${ult(a, b)} === 1 ? ${b} : ${a})` : `(${a} > ${b} ? ${a} : ${b})`;
      case 'min': return u ? `(${ult(a, b)} === 1 ? ${a} : ${b})` : `(${a} < ${b} ? ${a} : ${b})`;
      case 'mod': {
        // b = 0 gives 0 (scalarOps); constant divisors below 2^16 take the unrolled byte path
        const c = eb.k === 'const' ? eb.value : undefined;
        if (c !== undefined && c > 0 && c < 65536) return this.call(u ? 'pxUmodC' : 'pxSmodC', a, o.lit(c));
        return this.call(u ? 'pxUmod' : 'pxSmod', a, b);
      }
      case 'div': {
        // scalarOps' integer div is real division, truncated when stored
        const q = `(${this.cast(a, d, 'f32')} / ${this.cast(b, d, 'f32')})`;
        return isInt(dtype) ? this.cast(q, 'f32', dtype) : q;
      }
      case 'pow': return asDtype(this.cast(this.call('pxPow', this.cast(a, d, 'f32'), this.cast(b, d, 'f32')), 'f32', d));
    }
    throw new GpujsUnsupportedError(`binary ${op} on ${d}`, this.env.mode, 'no gpu.js lowering');
  }
}

export function children(e: Expr): Expr[] {
  const fromAffine = (a: Affine): Expr[] => a.terms.flatMap((t) => atomChildren(t.atom));
  const atomChildren = (a: Atom): Expr[] => (a.kind === 'value' ? [a.expr] : a.kind === 'div' || a.kind === 'mod' ? fromAffine(a.a) : []);
  switch (e.k) {
    case 'unary': case 'cast': return [e.a];
    case 'binary': return [e.a, e.b];
    case 'select': return [e.cond, e.a, e.b];
    case 'checkIndex': return [e.value];
    case 'load': case 'index': case 'inRange': return fromAffine(e.index);
    case 'random': return fromAffine(e.counter);
    default: return [];
  }
}
