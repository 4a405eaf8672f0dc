import type { Expr } from '../../../kernel/expr.ts';
import type { Affine } from '../../../kernel/indexExpr.ts';

/**
 * Can an expression run four lanes at a time along the innermost loop variable `inner`? Float32
 * arithmetic, comparisons/selects of floats, and loads/indexes that are affine in plain loop
 * variables with coefficient 0 or 1 on `inner` (a broadcast or a contiguous vector). Returns the
 * reason when not.
 */
export function unsupportedReason(e: Expr, inner: string, isRowValue: (stage: number) => boolean, seen = new Set<Expr>()): string | undefined {
  if (seen.has(e)) return undefined;
  seen.add(e);
  const sub = (...xs: Expr[]) => {
    for (const x of xs) {
      const r = unsupportedReason(x, inner, isRowValue, seen);
      if (r) return r;
    }
    return undefined;
  };
  switch (e.k) {
    case 'const':
      return e.dtype === 'u32' ? 'u32 constant' : undefined;
    case 'load':
      if (e.dtype !== 'f32' && e.dtype !== 'i32') return `${e.dtype} load`;
      return affineReason(e.index, inner);
    case 'index':
      return e.dtype === 'i32' ? affineIndexReason(e.index, inner) : `${e.dtype} index`;
    case 'rowValue':
      return e.dtype === 'f32' && isRowValue(e.stage) ? undefined : 'row value';
    case 'unary':
      if (e.dtype === 'bool' && e.op === 'not') return sub(e.a);
      if (e.dtype !== 'f32') return `${e.dtype} ${e.op}`;
      return ['neg', 'abs', 'sqrt', 'rsqrt', 'reciprocal', 'exp', 'log', 'tanh', 'erf'].includes(e.op) ? sub(e.a) : `unary ${e.op}`;
    case 'binary':
      if (e.operandDType === 'bool' && (e.op === 'and' || e.op === 'or')) return sub(e.a, e.b);
      if (e.operandDType === 'i32') return ['add', 'sub', 'mul', 'lt', 'le', 'gt', 'ge', 'eq', 'ne'].includes(e.op) ? sub(e.a, e.b) : `i32 ${e.op}`;
      if (e.operandDType !== 'f32') return `${e.operandDType} ${e.op}`;
      return ['add', 'sub', 'mul', 'div', 'max', 'min', 'lt', 'le', 'gt', 'ge', 'eq', 'ne'].includes(e.op) ? sub(e.a, e.b) : `binary ${e.op}`;
    case 'select':
      if (e.lazy) return 'lazy select (pad/concat)';
      if (e.dtype !== 'f32' && e.dtype !== 'i32') return `${e.dtype} select`;
      return sub(e.cond, e.a, e.b);
    case 'cast':
      return (e.from === 'bool' && (e.dtype === 'f32' || e.dtype === 'i32')) || (e.from === 'i32' && e.dtype === 'f32') ? sub(e.a) : `cast ${e.from} -> ${e.dtype}`;
    default:
      return e.k;
  }
}

/** An index used as a value: any coefficient along the inner axis is fine (lanes add coef·lane). */
function affineIndexReason(a: Affine, _inner: string): string | undefined {
  return a.terms.every((t) => t.atom.kind === 'var') ? undefined : 'non-affine index value';
}

/**
 * Loads (and stores) vectorise when, along the innermost axis, their index is contiguous (the inner
 * variable, or its remainder by a multiple of 4, with coefficient 1) or constant within each group
 * of four (the inner variable's quotient by a multiple of 4: a reshape that splits the inner axis),
 * and everything else is plain loop variables or their quotients and remainders.
 */
function affineReason(a: Affine, inner: string): string | undefined {
  let contiguous = 0;
  for (const t of a.terms) {
    const at = t.atom;
    if (at.kind === 'value') return 'value index';
    if (at.kind === 'var') {
      if (at.name !== inner) continue;
      if (t.coef !== 1) return `stride ${t.coef} along the innermost axis`;
      contiguous++;
      continue;
    }
    if (!involves(at.a, inner)) {
      const why = affineReason(at.a, inner);
      if (why) return why;
      continue;
    }
    if (!isInnerVar(at.a, inner) || at.d % 4 !== 0) return `${at.kind} of the innermost axis by ${at.d}`;
    if (at.kind === 'mod') {
      if (t.coef !== 1) return `stride ${t.coef} along the innermost axis`;
      contiguous++;
    }
  }
  return contiguous > 1 ? 'two contiguous parts along the innermost axis' : undefined;
}

/** Is the index exactly the inner variable? */
export const isInnerVar = (a: Affine, inner: string): boolean =>
  a.c === 0 && a.terms.length === 1 && a.terms[0]!.coef === 1 && a.terms[0]!.atom.kind === 'var' && a.terms[0]!.atom.name === inner;

/** Does the index depend on `inner` (directly or through a quotient or remainder)? */
export function involves(a: Affine, inner: string): boolean {
  return a.terms.some((t) => (t.atom.kind === 'var' ? t.atom.name === inner : t.atom.kind === 'value' ? false : involves(t.atom.a, inner)));
}

/** Step between the four lanes' elements: 1 when contiguous along `inner`, 0 when shared by the four. */
export function laneStride(a: Affine, inner: string): number {
  return a.terms.some((t) => t.coef === 1 && (t.atom.kind === 'var' ? t.atom.name === inner : t.atom.kind === 'mod' && isInnerVar(t.atom.a, inner))) ? 1 : 0;
}

/** Coefficient of `inner` in an affine index (0 when absent). */
export function innerCoef(a: Affine, inner: string): number {
  return a.terms.find((t) => t.atom.kind === 'var' && t.atom.name === inner)?.coef ?? 0;
}

/** Does the expression change along `inner`? */
export function variesAlong(e: Expr, inner: string, memo: Map<Expr, boolean>): boolean {
  let v = memo.get(e);
  if (v !== undefined) return v;
  switch (e.k) {
    case 'load': case 'index': v = involves(e.index, inner); break;
    case 'const': case 'rowValue': v = false; break;
    case 'unary': case 'cast': v = variesAlong(e.a, inner, memo); break;
    case 'binary': v = variesAlong(e.a, inner, memo) || variesAlong(e.b, inner, memo); break;
    case 'select': v = variesAlong(e.cond, inner, memo) || variesAlong(e.a, inner, memo) || variesAlong(e.b, inner, memo); break;
    default: v = true;
  }
  memo.set(e, v);
  return v;
}
