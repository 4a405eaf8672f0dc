import type { Expr } from './expr.ts';

/**
 * Integer index arithmetic in kernels, kept as affine forms over "atoms" (loop variables, or
 * opaque div/mod/data values) with known ranges. Affine forms let view ops (reshape, transpose,
 * broadcast, slice) compose into plain strided offsets: a reshape that splits or merges contiguous
 * axes simplifies back to the loop variables instead of emitting divisions per element.
 */
export type Atom =
  | { readonly kind: 'var'; readonly name: string; readonly extent: number }
  | { readonly kind: 'div'; readonly a: Affine; readonly d: number }
  | { readonly kind: 'mod'; readonly a: Affine; readonly d: number }
  /** A data-dependent index (a gathered value), in [0, extent) once checked. */
  | { readonly kind: 'value'; readonly expr: Expr; readonly extent: number };

export interface Term {
  readonly atom: Atom;
  readonly coef: number;
}

export interface Affine {
  readonly terms: readonly Term[];
  readonly c: number;
}

export const constIdx = (c: number): Affine => ({ terms: [], c });
export const varIdx = (name: string, extent: number): Affine => ({ terms: [{ atom: { kind: 'var', name, extent }, coef: 1 }], c: 0 });
export const valueIdx = (expr: Expr, extent: number): Affine => ({ terms: [{ atom: { kind: 'value', expr, extent }, coef: 1 }], c: 0 });

/** A stable key for an atom (for combining like terms and memoisation). */
export function atomKey(a: Atom): string {
  switch (a.kind) {
    case 'var': return a.name;
    case 'div': return `(${affineKey(a.a)})/${a.d}`;
    case 'mod': return `(${affineKey(a.a)})%${a.d}`;
    case 'value': return `v#${exprId(a.expr)}`;
  }
}
let nextExprId = 1;
const exprIds = new WeakMap<object, number>();
function exprId(e: Expr): number {
  let id = exprIds.get(e);
  if (id === undefined) exprIds.set(e, (id = nextExprId++));
  return id;
}

export function affineKey(a: Affine): string {
  return `${a.terms.map((t) => `${t.coef}*${atomKey(t.atom)}`).join('+')}+${a.c}`;
}

export function isConst(a: Affine): a is Affine & { terms: [] } {
  return a.terms.length === 0;
}

function normalize(terms: readonly Term[], c: number): Affine {
  const byKey = new Map<string, Term>();
  for (const t of terms) {
    const k = atomKey(t.atom);
    const prev = byKey.get(k);
    byKey.set(k, { atom: t.atom, coef: (prev?.coef ?? 0) + t.coef });
  }
  const out = [...byKey.entries()].filter(([, t]) => t.coef !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  return { terms: out, c };
}

export const addIdx = (a: Affine, b: Affine): Affine => normalize([...a.terms, ...b.terms], a.c + b.c);
export const addConst = (a: Affine, c: number): Affine => (c === 0 ? a : { terms: a.terms, c: a.c + c });
export const scaleIdx = (a: Affine, s: number): Affine =>
  s === 0 ? constIdx(0) : s === 1 ? a : { terms: a.terms.map((t) => ({ atom: t.atom, coef: t.coef * s })), c: a.c * s };

function atomRange(a: Atom): [number, number] {
  switch (a.kind) {
    case 'var': return [0, a.extent - 1];
    case 'value': return [0, a.extent - 1];
    case 'mod': return [0, a.d - 1];
    case 'div': {
      const [lo, hi] = rangeOf(a.a);
      return [Math.floor(lo / a.d), Math.floor(hi / a.d)];
    }
  }
}

/** Inclusive [min, max] of an affine form over its atoms' ranges. */
export function rangeOf(a: Affine): [number, number] {
  let lo = a.c;
  let hi = a.c;
  for (const t of a.terms) {
    const [alo, ahi] = atomRange(t.atom);
    if (t.coef >= 0) {
      lo += t.coef * alo;
      hi += t.coef * ahi;
    } else {
      lo += t.coef * ahi;
      hi += t.coef * alo;
    }
  }
  return [lo, hi];
}

/**
 * Floor division and remainder by a positive constant. Terms whose coefficient is a multiple of d
 * go to the quotient; if the rest provably lies in [0, d) it is the remainder exactly.
 */
export function divmodIdx(a: Affine, d: number): { q: Affine; r: Affine } {
  if (d === 1) return { q: a, r: constIdx(0) };
  const divisible: Term[] = [];
  const rest: Term[] = [];
  for (const t of a.terms) (t.coef % d === 0 ? divisible : rest).push(t);
  const cq = Math.floor(a.c / d) * d;
  const restAff = normalize(rest, a.c - cq);
  const [lo, hi] = rangeOf(restAff);
  if (lo >= 0 && hi < d) {
    return { q: normalize(divisible.map((t) => ({ atom: t.atom, coef: t.coef / d })), cq / d), r: restAff };
  }
  if (isConst(a)) return { q: constIdx(Math.floor(a.c / d)), r: constIdx(((a.c % d) + d) % d) };
  if (lo >= 0 && divisible.length > 0) {
    // (d·k + rest) / d = k + rest / d and the remainder is rest's, for a non-negative rest: the
    // div/mod atoms then cover only the rest (a reshape splitting one axis keeps the others plain)
    const rq = divmodIdx(restAff, d);
    return { q: addIdx(normalize(divisible.map((t) => ({ atom: t.atom, coef: t.coef / d })), cq / d), rq.q), r: rq.r };
  }
  return {
    q: { terms: [{ atom: { kind: 'div', a, d }, coef: 1 }], c: 0 },
    r: { terms: [{ atom: { kind: 'mod', a, d }, coef: 1 }], c: 0 },
  };
}

/** Linear (row-major) index of coordinates in a shape. */
export function linearIndex(coords: readonly Affine[], shape: readonly number[]): Affine {
  let acc = constIdx(0);
  for (let i = 0; i < coords.length; i++) acc = addIdx(scaleIdx(acc, shape[i]!), coords[i]!);
  return acc;
}

/** Coordinates (row-major) of a linear index in a shape. */
export function unravelIndex(linear: Affine, shape: readonly number[]): Affine[] {
  const out = new Array<Affine>(shape.length);
  let rest = linear;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (i === 0) {
      out[0] = rest;
      break;
    }
    const { q, r } = divmodIdx(rest, shape[i]!);
    out[i] = r;
    rest = q;
  }
  return out;
}

/** Offset of coordinates in a contiguous buffer of the given shape. */
export const offsetOf = (coords: readonly Affine[], shape: readonly number[]): Affine => linearIndex(coords, shape);
