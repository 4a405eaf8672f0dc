import type { DType } from '../../ir/dtype.ts';
import type { Expr } from '../../kernel/expr.ts';
import type { Affine, Atom } from '../../kernel/indexExpr.ts';
import { type WordPlace, arenaName } from './arenas.ts';
import type { WgslHelper } from './wgslHelpers.ts';

/** WGSL type of a dtype's values: bools are u32 0/1 (as the arena stores them). */
export type WgslType = 'f32' | 'i32' | 'u32';
export const wgslType = (d: DType): WgslType => (d === 'f32' ? 'f32' : d === 'i32' ? 'i32' : 'u32');

/** A private variable holding 0 (declared by every shader): a value WGSL cannot evaluate at compile time. */
export const RUNTIME_ZERO = 'px_zero';

/** What a printer needs to know about its kernel. */
export interface PrintEnv {
  /** A buffer's arena and word offset there. */
  readonly place: (buffer: number) => WordPlace;
  /** Block level at which each loop variable is defined. */
  readonly varLevel: ReadonlyMap<string, number>;
  /** Level at which row values exist, and how one is read. */
  readonly rowLevel?: number;
  readonly rowValue?: (stage: number) => string;
  /** Code for a load served without memory (a matmul epilogue reading its own accumulator). */
  readonly loadOverride?: (e: Expr & { k: 'load' }) => string | undefined;
  /** Id (> 0) reported for an out-of-range index at `site`. */
  readonly siteId: (site: string) => number;
}

function f32Literal(v: number): string {
  const f = Math.fround(v);
  const bits = new Uint32Array(new Float32Array([f]).buffer)[0]!;
  const exp = (bits >>> 23) & 0xff;
  // non-finite values, signed zero and subnormals by their bits (WGSL has no literal for them);
  // OR-ing the runtime zero keeps them out of constant evaluation, where infinities are errors
  if (exp === 0xff || exp === 0) return f === 0 && !Object.is(f, -0) ? '0.0f' : `bitcast<f32>(0x${bits.toString(16)}u | ${RUNTIME_ZERO})`;
  return f < 0 ? `(${f}f)` : `${f}f`;
}

export function literal(v: number, d: DType): string {
  switch (d) {
    case 'f32': return f32Literal(v);
    case 'i32': return v === -2147483648 ? '(-2147483647i - 1i)' : v < 0 ? `(${v}i)` : `${v}i`;
    case 'u32': return `${v >>> 0}u`;
    case 'bool': return v ? '1u' : '0u';
  }
}

const zero = (d: DType): string => literal(0, d);

const asU32 = (code: string, d: DType): string => (d === 'i32' ? `bitcast<u32>(${code})` : code);

function children(e: Expr): Expr[] {
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

/**
 * Prints kernel expressions as WGSL inside nested blocks (level 0 = the kernel's top), binding
 * shared and loop-invariant subexpressions to `let`s in the outermost block where their inputs
 * are known, like the CPU backend's printer. Inside the branches of a lazy select (pad, concat)
 * nothing is bound and checked indices report only when their branch is taken (`guard`).
 */
export class WgslPrinter {
  private readonly names = new Map<Expr, string>();
  private readonly nameLevels = new Map<Expr, number>();
  private readonly depths = new Map<Expr, number>();
  private readonly uses = new Map<Expr, number>();
  private counter = 0;
  readonly blocks: string[][] = [];
  readonly helpers = new Set<WgslHelper>();
  /** Kernel-level `let`s (random key words), printed before everything else. */
  readonly constants: string[] = [];
  private readonly keyWords = new Map<number, string>();
  /** Whether the kernel reports out-of-range indices (binds the status buffer). */
  usesStatus = false;

  constructor(private readonly env: PrintEnv, levels: number, private readonly prefix = 't') {
    for (let L = 0; L <= levels; L++) this.blocks.push([]);
  }

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
      case 'rowValue': d = this.env.rowLevel ?? 0; break;
      case 'load': d = this.env.loadOverride?.(e) !== undefined ? 0 : this.affineDepth(e.index); break;
      case 'index': case 'inRange': d = this.affineDepth(e.index); break;
      case 'random': d = this.affineDepth(e.counter); break;
      default: d = Math.max(0, ...children(e).map((c) => this.depth(c)));
    }
    this.depths.set(e, d);
    return d;
  }
  private affineDepth(a: Affine): number {
    let d = 0;
    for (const t of a.terms) d = Math.max(d, this.atomDepth(t.atom));
    return d;
  }
  private atomDepth(a: Atom): number {
    switch (a.kind) {
      case 'var': return this.env.varLevel.get(a.name) ?? 0;
      case 'value': return this.depth(a.expr);
      case 'div': case 'mod': return this.affineDepth(a.a);
    }
  }

  /** Forgets locals bound deeper than `level` (their block has been closed). */
  closeLevelsAbove(level: number): void {
    for (const [e, l] of this.nameLevels) {
      if (l > level) {
        this.names.delete(e);
        this.nameLevels.delete(e);
      }
    }
  }

  /** An integer index as i32 WGSL. */
  affine(a: Affine, level: number): string {
    const parts: string[] = [];
    for (const t of a.terms) {
      const atom = this.atom(t.atom, level);
      parts.push(t.coef === 1 ? atom : t.coef === -1 ? `-${atom}` : `${t.coef} * ${atom}`);
    }
    if (a.c !== 0 || parts.length === 0) parts.push(String(a.c));
    return `i32(${parts.join(' + ').replace(/\+ -/g, '- ')})`;
  }
  private atom(a: Atom, level: number): string {
    switch (a.kind) {
      case 'var': return a.name;
      case 'value': return this.asI32(this.print(a.expr, level), a.expr.dtype);
      case 'div': return `(${this.affine(a.a, level)} / ${a.d})`;
      case 'mod': return `(${this.affine(a.a, level)} % ${a.d})`;
    }
  }

  /** The word `index` of buffer `buffer` as an arena element. */
  element(buffer: number, index: Affine, level: number): string {
    const { arena, word } = this.env.place(buffer);
    return `${arenaName(arena)}[${word} + ${this.affine(index, level)}]`;
  }

  /** A store of `value` (WGSL of dtype `d`) at element `index` of `buffer`. */
  store(buffer: number, index: Affine, value: string, d: DType, level: number): string {
    return `${this.element(buffer, index, level)} = ${d === 'f32' || d === 'i32' ? `bitcast<u32>(${value})` : value};`;
  }

  private worthBinding(e: Expr, level: number): boolean {
    if (e.k === 'const' || e.k === 'rowValue' || e.k === 'index') return false;
    return (this.uses.get(e) ?? 0) > 1 || this.depth(e) < level;
  }

  /** The expression's value at block `level`; `guard` (inside lazy branches) disables binding. */
  print(e: Expr, level: number, guard?: string): string {
    const bound = this.names.get(e);
    if (bound) return bound;
    if (guard === undefined && this.worthBinding(e, level)) {
      const d = Math.min(this.depth(e), level);
      const code = this.raw(e, d, undefined);
      const name = `${this.prefix}${this.counter++}`;
      this.blocks[d]!.push(`let ${name}: ${wgslType(e.dtype)} = ${code};`);
      this.names.set(e, name);
      this.nameLevels.set(e, d);
      return name;
    }
    return this.raw(e, level, guard);
  }

  private raw(e: Expr, level: number, guard: string | undefined): string {
    const p = (x: Expr) => this.print(x, level, guard);
    switch (e.k) {
      case 'const': return literal(e.value, e.dtype);
      case 'rowValue': return this.env.rowValue!(e.stage);
      case 'index': {
        const i = this.affine(e.index, level);
        if (e.dtype === 'f32') return this.call('i2f', i);
        return e.dtype === 'i32' ? i : `bitcast<u32>(${i})`;
      }
      case 'load': {
        const over = this.env.loadOverride?.(e);
        if (over !== undefined) return over;
        const w = this.element(e.buffer, e.index, level);
        return e.dtype === 'f32' ? `bitcast<f32>(${w})` : e.dtype === 'i32' ? `bitcast<i32>(${w})` : w;
      }
      case 'inRange': {
        const i = this.affine(e.index, level);
        return `select(0u, 1u, ${i} >= ${e.lo} && ${i} < ${e.hi})`;
      }
      case 'random': {
        this.helpers.add('threefry');
        const [k0, k1] = this.keyWordNames(e.keyBuffer);
        const c = `bitcast<u32>(${this.affine(e.counter, level)})`;
        return `px_threefry(${k0}, ${k1}, ${e.offset >>> 0}u + (${c} >> 1u), ${e.tag >>> 0}u)[${c} & 1u]`;
      }
      case 'checkIndex': {
        this.helpers.add('idx');
        this.usesStatus = true;
        return `px_idx(${this.asI32(p(e.value), e.value.dtype)}, ${e.extent}, ${this.env.siteId(e.site)}u, ${guard ?? 'true'})`;
      }
      case 'select': {
        const c = p(e.cond);
        const g = (when: string) => (e.lazy ? (guard === undefined ? when : `(${guard} && ${when})`) : guard);
        const a = this.print(e.a, level, g(`${c} != 0u`));
        const b = this.print(e.b, level, g(`${c} == 0u`));
        return `select(${b}, ${a}, ${c} != 0u)`;
      }
      case 'cast': return this.cast(p(e.a), e.from, e.dtype);
      case 'unary': return this.unary(e.op, p(e.a), e.a.dtype, e.dtype);
      case 'binary': return this.binary(e.op, p(e.a), p(e.b), e.operandDType);
    }
  }

  /** An integer value as i32 (affine index arithmetic). */
  private asI32(code: string, d: DType): string {
    return d === 'f32' ? this.call('f2i', code) : d === 'i32' ? code : `bitcast<i32>(${code})`;
  }

  call(h: WgslHelper, ...args: string[]): string {
    this.helpers.add(h);
    if (h === 'f2i') this.helpers.add('f2u');
    return `px_${h}(${args.join(', ')})`;
  }

  cast(a: string, from: DType, to: DType): string {
    if (from === to) return a;
    if (from === 'f32') return to === 'i32' ? this.call('f2i', a) : to === 'u32' ? this.call('f2u', a) : this.call('fbool', a);
    if (to === 'f32') return from === 'i32' ? this.call('i2f', a) : from === 'u32' ? this.call('u2f', a) : `f32(${a})`;
    if (to === 'bool') return `select(0u, 1u, ${a} != ${zero(from)})`;
    if (to === 'i32') return from === 'u32' ? `bitcast<i32>(${a})` : `i32(${a})`;
    return from === 'i32' ? `bitcast<u32>(${a})` : a;
  }

  private unary(op: string, a: string, d: DType, out: DType): string {
    switch (op) {
      case 'neg': return d === 'f32' || d === 'i32' ? `(-${a})` : `(0u - ${a})`;
      case 'exp': return `exp(${a})`;
      case 'log': return `log(${a})`;
      case 'log1p': return this.call('log1p', a);
      case 'sqrt': return `sqrt(${a})`;
      case 'rsqrt': return `(1.0f / sqrt(${a}))`;
      case 'tanh': return this.call('tanh', a);
      case 'erf': return this.call('erf', a);
      case 'abs': return d === 'f32' || d === 'i32' ? `abs(${a})` : a;
      case 'sign': return d === 'f32' || d === 'i32' ? `sign(${a})` : `select(0u, 1u, ${a} != 0u)`;
      case 'reciprocal': return `(1.0f / ${a})`;
      case 'sin': return `sin(${a})`;
      case 'cos': return `cos(${a})`;
      case 'not': return `select(${zero(out)}, ${literal(1, out)}, ${a} == ${zero(d)})`;
    }
    throw new Error(`no WGSL for unary ${op}`);
  }

  private binary(op: string, a: string, b: string, d: DType): string {
    const isInt = d === 'i32' || d === 'u32';
    switch (op) {
      case 'add': return `(${a} + ${b})`;
      case 'sub': return `(${a} - ${b})`;
      case 'mul': return `(${a} * ${b})`;
      // integer division truncates and gives 0 for a zero divisor (the CPU stores a / b into an integer array)
      case 'div': return isInt ? `select(${a} / ${b}, ${zero(d)}, ${b} == ${zero(d)})` : `(${a} / ${b})`;
      case 'pow': return d === 'f32' ? this.call('pow', a, b) : this.cast(this.call('pow', this.cast(a, d, 'f32'), this.cast(b, d, 'f32')), 'f32', d);
      case 'max': return `max(${a}, ${b})`;
      case 'min': return `min(${a}, ${b})`;
      case 'mod': return d === 'f32' ? this.call('fmod', a, b) : `select(${a} % ${b}, ${zero(d)}, ${b} == ${zero(d)})`;
      case 'lt': return `select(0u, 1u, ${a} < ${b})`;
      case 'le': return `select(0u, 1u, ${a} <= ${b})`;
      case 'gt': return `select(0u, 1u, ${a} > ${b})`;
      case 'ge': return `select(0u, 1u, ${a} >= ${b})`;
      case 'eq': return `select(0u, 1u, ${a} == ${b})`;
      case 'ne': return `select(0u, 1u, ${a} != ${b})`;
      case 'and': return `(${a} & ${b})`;
      case 'or': return `(${a} | ${b})`;
      case 'xor': return `(${a} ^ ${b})`;
      case 'shl': return `(${a} << (${asU32(b, d)} & 31u))`;
      case 'shr': return `(${a} >> (${asU32(b, d)} & 31u))`;
    }
    throw new Error(`no WGSL for binary ${op}`);
  }

  private keyWordNames(buffer: number): [string, string] {
    let name = this.keyWords.get(buffer);
    if (!name) {
      name = `px_key${buffer}`;
      const { arena, word } = this.env.place(buffer);
      this.constants.push(`let ${name}_0 = ${arenaName(arena)}[${word}];`, `let ${name}_1 = ${arenaName(arena)}[${word + 1}];`);
      this.keyWords.set(buffer, name);
    }
    return [`${name}_0`, `${name}_1`];
  }
}
