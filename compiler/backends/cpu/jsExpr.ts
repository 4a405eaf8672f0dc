import type { DType } from '../../ir/dtype.ts';
import type { Expr } from '../../kernel/expr.ts';
import type { Affine, Atom } from '../../kernel/indexExpr.ts';

/** Where a buffer lives: its typed-array view name and element offset in that view. */
export interface BufferLocation {
  readonly view: 'F32' | 'I32' | 'U32' | 'U8';
  readonly offset: number;
}

export type Helper = 'erf32' | 'threefry' | 'oob' | 'mod' | 'tanh32' | 'exp32';

export const viewFor = (d: DType): BufferLocation['view'] => (d === 'f32' ? 'F32' : d === 'i32' ? 'I32' : d === 'u32' ? 'U32' : 'U8');

const num = (v: number): string => {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return v < 0 ? `(${v})` : String(v);
};

/**
 * Prints kernel expressions as JavaScript inside a loop nest, binding shared and loop-invariant
 * subexpressions to locals in the outermost block where all their inputs are known (so a row's
 * mean or a per-row load is computed once per row, not once per element). Blocks are statement
 * lists; `level` is the loop depth (0 = kernel top).
 */
export class JsExprPrinter {
  private readonly names = new Map<Expr, string>();
  private readonly nameLevels = new Map<Expr, number>();
  private readonly depths = new Map<Expr, number>();
  private readonly uses = new Map<Expr, number>();
  private counter = 0;
  /** Statement lists per loop level; bindings are appended to their level's list. */
  readonly blocks: string[][] = [];
  /** Helper functions the kernel needs (erf32, threefry2x32, oob). */
  readonly helpers = new Set<Helper>();
  /** Kernel-level constants (random key words). */
  readonly constants: string[] = [];
  private readonly keyWords = new Map<number, string>();

  constructor(
    private readonly location: (buffer: number) => BufferLocation,
    private readonly varLevel: ReadonlyMap<string, number>,
    /** Level at which rowValue variables exist. */
    private readonly rowLevel = 0,
    /** How a row value is read (default: the local `r<stage>`). */
    private readonly rowValueCode: (stage: number) => string = (stage) => `r${stage}`,
  ) {}

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
      case 'rowValue': d = this.rowLevel; break;
      case 'load': case 'index': case 'inRange': d = this.affineDepth(e.index); break;
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
      case 'var': return this.varLevel.get(a.name) ?? 0;
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

  /** JavaScript for an integer index. */
  affine(a: Affine, level: number): string {
    const parts: string[] = [];
    for (const t of a.terms) {
      const atom = this.atom(t.atom, level);
      parts.push(t.coef === 1 ? atom : t.coef === -1 ? `-${atom}` : `${t.coef} * ${atom}`);
    }
    if (a.c !== 0 || parts.length === 0) parts.push(String(a.c));
    return parts.join(' + ').replace(/\+ -/g, '- ');
  }
  private atom(a: Atom, level: number): string {
    switch (a.kind) {
      case 'var': return a.name;
      case 'value': return this.print(a.expr, level);
      case 'div': return `((${this.affine(a.a, level)}) / ${a.d} | 0)`;
      case 'mod': return `((${this.affine(a.a, level)}) % ${a.d})`;
    }
  }

  private worthBinding(e: Expr, level: number): boolean {
    if (e.k === 'const' || e.k === 'rowValue' || e.k === 'index') return false;
    return (this.uses.get(e) ?? 0) > 1 || this.depth(e) < level;
  }

  /** The expression's value at loop depth `level` (binding it to a local when worthwhile). */
  print(e: Expr, level: number, guarded = false): string {
    const bound = this.names.get(e);
    if (bound) return bound;
    if (!guarded && this.worthBinding(e, level)) {
      const d = this.depth(e);
      const code = this.raw(e, d, false);
      const name = `t${this.counter++}`;
      this.blocks[d]!.push(`const ${name} = ${code};`);
      this.names.set(e, name);
      this.nameLevels.set(e, d);
      return name;
    }
    return this.raw(e, level, guarded);
  }

  private raw(e: Expr, level: number, guarded: boolean): string {
    const p = (x: Expr) => this.print(x, level, guarded);
    switch (e.k) {
      case 'const': return num(e.dtype === 'f32' ? Math.fround(e.value) : e.value);
      case 'rowValue': return this.rowValueCode(e.stage);
      case 'index': return e.dtype === 'f32' ? `fr(${this.affine(e.index, level)})` : `(${this.affine(e.index, level)})`;
      case 'load': {
        const loc = this.location(e.buffer);
        return `${loc.view}[${loc.offset} + ${this.affine(e.index, level)}]`;
      }
      case 'inRange': {
        const i = this.affine(e.index, level);
        return `((${i}) >= ${e.lo} && (${i}) < ${e.hi} ? 1 : 0)`;
      }
      case 'random': {
        this.helpers.add('threefry');
        const [k0, k1] = this.keyWordNames(e.keyBuffer);
        const c = this.affine(e.counter, level);
        return `threefry2x32(${k0}, ${k1}, (${e.offset} + ((${c}) >>> 1)) >>> 0, ${e.tag}, (${c}) & 1)`;
      }
      case 'checkIndex': {
        this.helpers.add('oob');
        const v = p(e.value);
        return `__idx(${v}, ${e.extent}, ${JSON.stringify(e.site)})`;
      }
      case 'select': {
        // lazy selects (pad, concat) evaluate only the taken branch
        const g = guarded || e.lazy;
        return `(${p(e.cond)} ? ${this.print(e.a, level, g)} : ${this.print(e.b, level, g)})`;
      }
      // Every f32 result is rounded to float32, op by op, as the WebAssembly SIMD kernels and
      // PyTorch do: a value one kernel stores and another recomputes (max's gradient mask compares
      // them) is then the same float32 whichever path computed it. Loads, constants and row values
      // are float32 already, so comparisons and float-to-int casts need no rounding of their own.
      case 'cast': return e.dtype === 'f32' && e.from !== 'f32' && e.from !== 'bool' ? `fr(${p(e.a)})` : castJs(p(e.a), e.dtype);
      case 'unary': {
        const code = unaryJs(e.op, p(e.a), e.dtype, this.helpers);
        return e.dtype === 'f32' && !EXACT_F32.has(e.op) ? `fr(${code})` : code;
      }
      case 'binary': {
        const code = binaryJs(e.op, p(e.a), p(e.b), e.operandDType, this.helpers);
        return e.dtype === 'f32' && !EXACT_F32.has(e.op) ? `fr(${code})` : code;
      }
    }
  }

  private keyWordNames(buffer: number): [string, string] {
    let name = this.keyWords.get(buffer);
    if (!name) {
      name = `key${buffer}`;
      const loc = this.location(buffer);
      this.constants.push(`const ${name}_0 = U32[${loc.offset}], ${name}_1 = U32[${loc.offset + 1}];`);
      this.keyWords.set(buffer, name);
    }
    return [`${name}_0`, `${name}_1`];
  }
}

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

/** f32 ops whose result is a float32 whenever their operands are. */
const EXACT_F32 = new Set(['neg', 'abs', 'sign', 'max', 'min']);

function castJs(a: string, to: DType): string {
  switch (to) {
    case 'f32': return a;
    case 'i32': return `(${a} | 0)`;
    case 'u32': return `(${a} >>> 0)`;
    case 'bool': return `(${a} ? 1 : 0)`;
  }
}

function unaryJs(op: string, a: string, dtype: DType, helpers: Set<Helper>): string {
  const wrap = (x: string) => (dtype === 'i32' ? `(${x} | 0)` : dtype === 'u32' ? `(${x} >>> 0)` : x);
  switch (op) {
    case 'neg': return wrap(`(-${a})`);
    case 'exp': helpers.add('exp32'); return `exp32(${a})`;
    case 'log': return `Math.log(${a})`;
    case 'log1p': return `Math.log1p(${a})`;
    case 'sqrt': return `Math.sqrt(${a})`;
    case 'rsqrt': return `(1 / Math.sqrt(${a}))`;
    case 'tanh': helpers.add('tanh32'); return `tanh32(${a})`;
    case 'erf': helpers.add('erf32'); return `erf32(${a})`;
    case 'abs': return wrap(`Math.abs(${a})`);
    case 'sign': return `Math.sign(${a})`;
    case 'reciprocal': return `(1 / ${a})`;
    case 'sin': return `Math.sin(${a})`;
    case 'cos': return `Math.cos(${a})`;
    case 'not': return `(${a} ? 0 : 1)`;
  }
  throw new Error(`no JavaScript for unary ${op}`);
}

function binaryJs(op: string, a: string, b: string, d: DType, helpers: Set<Helper>): string {
  const wrap = (x: string) => (d === 'i32' ? `((${x}) | 0)` : d === 'u32' ? `((${x}) >>> 0)` : x);
  switch (op) {
    case 'add': return wrap(`(${a} + ${b})`);
    case 'sub': return wrap(`(${a} - ${b})`);
    case 'mul': return d === 'f32' ? `(${a} * ${b})` : wrap(`Math.imul(${a}, ${b})`);
    case 'div': return `(${a} / ${b})`;
    case 'pow': return `Math.pow(${a}, ${b})`;
    case 'max': return `Math.max(${a}, ${b})`;
    case 'min': return `Math.min(${a}, ${b})`;
    case 'mod': helpers.add('mod'); return `__mod(${a}, ${b})`;
    case 'lt': return `(${a} < ${b} ? 1 : 0)`;
    case 'le': return `(${a} <= ${b} ? 1 : 0)`;
    case 'gt': return `(${a} > ${b} ? 1 : 0)`;
    case 'ge': return `(${a} >= ${b} ? 1 : 0)`;
    case 'eq': return `(${a} === ${b} ? 1 : 0)`;
    case 'ne': return `(${a} !== ${b} ? 1 : 0)`;
    case 'and': return wrap(`(${a} & ${b})`);
    case 'or': return wrap(`(${a} | ${b})`);
    case 'xor': return wrap(`(${a} ^ ${b})`);
    case 'shl': return `((${a} << (${b} & 31)) >>> 0)`;
    case 'shr': return `(${a} >>> (${b} & 31))`;
  }
  throw new Error(`no JavaScript for binary ${op}`);
}
