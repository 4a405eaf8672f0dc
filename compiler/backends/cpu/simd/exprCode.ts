import type { Expr } from '../../../kernel/expr.ts';
import { type Affine, type Atom, type Term, atomKey } from '../../../kernel/indexExpr.ts';
import { type Code, type FuncBuilder, type Local, V128, add, get, i32, load32Splat, mul, seq, set, shrU, v128Load, I32 } from '../wasm/emitter.ts';
import { atomI32 } from './indexCode.ts';
import { erfF32x4, expF32x4, logF32x4, tanhF32x4 } from './math.ts';
import {
  f32x4Abs, f32x4Add, f32x4Const, f32x4Div, f32x4Eq, f32x4Ge, f32x4Gt, f32x4Le, f32x4Lt, f32x4Max, f32x4Min, f32x4Mul, f32x4Ne, f32x4Neg,
  f32x4Sqrt, f32x4Sub, v128And, v128Bitselect, v128Not, v128Or,
  I32X4_IOTA, f32x4ConvertI32x4S, i32x4Add, i32x4Eq, i32x4GeS, i32x4GtS, i32x4LeS, i32x4LtS, i32x4Mul, i32x4Ne, i32x4Splat, i32x4Sub,
} from './ops.ts';
import { innerCoef, involves, laneStride, variesAlong } from './vectorize.ts';

const involvesTerm = (t: Term, inner: string): boolean => involves({ terms: [t], c: 0 }, inner);

/** Byte address of a buffer element: the buffer's base plus 4 × an affine index. */
export type BufferBase = (buffer: number) => number;

/**
 * Turns vectorisable expressions into wasm code over the innermost loop: loads along the inner
 * axis become v128 loads at (row base + inner offset), loads constant along it are splatted once
 * per row; expressions used more than once or constant along the row are computed into locals
 * (before the inner loop when they do not vary along it).
 */
export class VectorExprCoder {
  private readonly locals = new Map<Expr, Local>();
  private readonly uses = new Map<Expr, number>();
  private readonly varies = new Map<Expr, boolean>();
  /** Statements run once per row, before the inner loop (row bases, invariant values). */
  readonly rowSetup: Code[] = [];
  /** Shared per-vector values computed while coding the current statement. */
  private vectorSetup: Code[] = [];
  private readonly rowBases = new Map<string, Local>();

  constructor(
    private readonly f: FuncBuilder,
    private readonly inner: string,
    /** Loop variable locals by name (outer ones; the inner one is in `innerByteOffset`). */
    private readonly vars: ReadonlyMap<string, Local>,
    /** Byte offset of the current vector along the inner axis (4 × inner index). */
    private readonly innerByteOffset: Local,
    private readonly bufferBase: BufferBase,
    private readonly rowValue: (stage: number) => Code = () => {
      throw new Error('no row values here');
    },
  ) {}

  countUses(roots: readonly Expr[]): void {
    const visit = (e: Expr) => {
      const n = (this.uses.get(e) ?? 0) + 1;
      this.uses.set(e, n);
      if (n > 1) return;
      for (const c of children(e)) visit(c);
    };
    roots.forEach(visit);
  }

  newLocal = (): Local => this.f.local(V128);

  /** i32 local holding the byte address of index `a` at the start of the current row (its terms that do not involve the inner axis). */
  rowBase(buffer: number, a: Affine): Local {
    const outer = a.terms.filter((t) => !involvesTerm(t, this.inner));
    const key = `${buffer}|${outer.map((t) => `${t.coef}*${atomKey(t.atom)}`).join('+')}+${a.c}`;
    let l = this.rowBases.get(key);
    if (!l) {
      l = this.f.local(I32);
      let addr: Code = i32(this.bufferBase(buffer) + 4 * a.c);
      for (const t of outer) addr = add(addr, mul(this.atomCode(t.atom), i32(4 * t.coef)));
      this.rowSetup.push(set(l, addr));
      this.rowBases.set(key, l);
    }
    return l;
  }

  /** i32 value of an index atom over the outer loop variables (or the inner one, from its byte offset). */
  private atomCode(a: Atom): Code {
    return atomI32(a, (name) => (name === this.inner ? shrU(get(this.innerByteOffset), i32(2)) : get(this.vars.get(name)!)));
  }

  /** Address of the current vector (its first lane) of an index the vectoriser accepted. */
  vectorAddress(buffer: number, a: Affine): Code {
    let addr: Code = get(this.rowBase(buffer, a));
    for (const t of a.terms) {
      if (!involvesTerm(t, this.inner)) continue;
      // the inner variable (coefficient 1) is the byte offset itself; its remainder by a multiple
      // of 4 runs on contiguously from the first lane, its quotient is shared by the four lanes
      addr = add(addr, t.atom.kind === 'var' ? get(this.innerByteOffset) : mul(this.atomCode(t.atom), i32(4 * t.coef)));
    }
    return addr;
  }

  /**
   * One per-vector statement preceded by the shared values it computes first. Shared values are
   * set where first needed, in statement order, so a value that loads a buffer an earlier
   * statement of the same vector stores (a row kernel reading back a stored member) sees the store.
   */
  statement(build: () => Code): Code {
    const outer = this.vectorSetup;
    this.vectorSetup = [];
    const code = build();
    const out = seq(...this.vectorSetup, code);
    this.vectorSetup = outer;
    return out;
  }

  /** Code leaving the expression's four lanes on the stack. */
  code(e: Expr): Code {
    const bound = this.locals.get(e);
    if (bound) return get(bound);
    const invariant = !variesAlong(e, this.inner, this.varies);
    const shared = (this.uses.get(e) ?? 0) > 1;
    if ((invariant && e.k !== 'const') || (shared && e.k !== 'const' && e.k !== 'load')) {
      const l = this.newLocal();
      const raw = this.raw(e);
      (invariant ? this.rowSetup : this.vectorSetup).push(set(l, raw));
      this.locals.set(e, l);
      return get(l);
    }
    return this.raw(e);
  }

  private raw(e: Expr): Code {
    const c = (x: Expr) => this.code(x);
    switch (e.k) {
      case 'const':
        return e.dtype === 'bool' ? f32x4ConstBits(e.value ? -1 : 0) : e.dtype === 'i32' ? f32x4ConstBits(e.value | 0) : f32x4Const(e.value);
      case 'load':
        // raw 32-bit lanes: the same instructions load f32 and i32
        if (laneStride(e.index, this.inner) === 1) return v128Load(this.vectorAddress(e.buffer, e.index));
        return load32Splat(involves(e.index, this.inner) ? this.vectorAddress(e.buffer, e.index) : get(this.rowBase(e.buffer, e.index)));
      case 'index': {
        // value of an affine index: splat(value at lane 0) + coef·[0, 1, 2, 3]
        const coef = innerCoef(e.index, this.inner);
        let scalar: Code = i32(e.index.c);
        for (const t of e.index.terms) {
          const name = (t.atom as { name: string }).name;
          const v = name === this.inner ? shrU(get(this.innerByteOffset), i32(2)) : get(this.vars.get(name)!);
          scalar = add(scalar, mul(v, i32(t.coef)));
        }
        const base = i32x4Splat(scalar);
        return coef === 0 ? base : i32x4Add(base, i32x4Mul(I32X4_IOTA, f32x4ConstBits(coef)));
      }
      case 'rowValue':
        return this.rowValue(e.stage);
      case 'unary':
        switch (e.op) {
          case 'neg': return f32x4Neg(c(e.a));
          case 'abs': return f32x4Abs(c(e.a));
          case 'sqrt': return f32x4Sqrt(c(e.a));
          case 'rsqrt': return f32x4Div(f32x4Const(1), f32x4Sqrt(c(e.a)));
          case 'reciprocal': return f32x4Div(f32x4Const(1), c(e.a));
          case 'exp': return expF32x4(c(e.a), this.newLocal);
          case 'log': return logF32x4(c(e.a), this.newLocal);
          case 'tanh': return tanhF32x4(c(e.a), this.newLocal);
          case 'erf': return erfF32x4(c(e.a), this.newLocal);
          case 'not': return v128Not(c(e.a));
        }
        break;
      case 'binary': {
        const a = c(e.a);
        const b = c(e.b);
        if (e.operandDType === 'i32') {
          switch (e.op) {
            case 'add': return i32x4Add(a, b);
            case 'sub': return i32x4Sub(a, b);
            case 'mul': return i32x4Mul(a, b);
            case 'lt': return i32x4LtS(a, b);
            case 'le': return i32x4LeS(a, b);
            case 'gt': return i32x4GtS(a, b);
            case 'ge': return i32x4GeS(a, b);
            case 'eq': return i32x4Eq(a, b);
            case 'ne': return i32x4Ne(a, b);
          }
        }
        switch (e.op) {
          case 'add': return f32x4Add(a, b);
          case 'sub': return f32x4Sub(a, b);
          case 'mul': return f32x4Mul(a, b);
          case 'div': return f32x4Div(a, b);
          case 'max': return f32x4Max(a, b);
          case 'min': return f32x4Min(a, b);
          case 'lt': return f32x4Lt(a, b);
          case 'le': return f32x4Le(a, b);
          case 'gt': return f32x4Gt(a, b);
          case 'ge': return f32x4Ge(a, b);
          case 'eq': return f32x4Eq(a, b);
          case 'ne': return f32x4Ne(a, b);
          case 'and': return v128And(a, b);
          case 'or': return v128Or(a, b);
        }
        break;
      }
      case 'select':
        return v128Bitselect(c(e.a), c(e.b), c(e.cond));
      case 'cast':
        if (e.from === 'i32') return f32x4ConvertI32x4S(c(e.a));
        // bool lanes are all-ones / all-zeros masks: and with the bits of 1 (1.0f or int 1)
        return v128And(c(e.a), e.dtype === 'i32' ? f32x4ConstBits(1) : f32x4Const(1));
    }
    throw new Error(`simd: no code for ${e.k}${'op' in e ? ` ${e.op}` : ''}`);
  }
}

function f32x4ConstBits(bits: number): Code {
  const b = new Uint8Array(new Int32Array([bits, bits, bits, bits]).buffer);
  return [0xfd, 0x0c, ...b];
}

function children(e: Expr): Expr[] {
  switch (e.k) {
    case 'unary': case 'cast': return [e.a];
    case 'binary': return [e.a, e.b];
    case 'select': return [e.cond, e.a, e.b];
    default: return [];
  }
}

export { seq };
