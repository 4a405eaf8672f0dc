import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Affine, type Atom, addIdx, constIdx, divmodIdx, linearIndex, rangeOf, scaleIdx, unravelIndex, varIdx } from '../../compiler/kernel/indexExpr.ts';

/** Value of an affine index at an assignment of its loop variables (floor division, as intended). */
function evaluate(a: Affine, env: Record<string, number>): number {
  const atom = (t: Atom): number => {
    switch (t.kind) {
      case 'var': return env[t.name]!;
      case 'div': return Math.floor(evaluate(t.a, env) / t.d);
      case 'mod': return evaluate(t.a, env) - t.d * Math.floor(evaluate(t.a, env) / t.d);
      case 'value': throw new Error('no data-dependent atoms here');
    }
  };
  return a.terms.reduce((s, t) => s + t.coef * atom(t.atom), a.c);
}

/** Generated code divides by truncation (`x / d | 0`, `x % d`): every div/mod argument must be non-negative. */
function divModArgumentsNonNegative(a: Affine): boolean {
  return a.terms.every((t) => (t.atom.kind === 'div' || t.atom.kind === 'mod' ? rangeOf(t.atom.a)[0] >= 0 && divModArgumentsNonNegative(t.atom.a) : true));
}

const vars = [varIdx('v0', 5), varIdx('v1', 7), varIdx('v2', 12)];
const assignments = (): Record<string, number>[] => {
  const out: Record<string, number>[] = [];
  for (let v0 = 0; v0 < 5; v0++) for (let v1 = 0; v1 < 7; v1++) for (let v2 = 0; v2 < 12; v2++) out.push({ v0, v1, v2 });
  return out;
};
const affineArb = fc
  .record({ coefs: fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })), scale: fc.constantFrom(1, 4, 8, 64), c: fc.nat(40) })
  .map(({ coefs, scale, c }) => coefs.reduce((acc, k, i) => addIdx(acc, scaleIdx(vars[i]!, k * (i === 2 ? 1 : scale))), constIdx(c)));

describe('affine index arithmetic', () => {
  it('divmodIdx gives the floor quotient and remainder, with div/mod only of non-negative arguments', () => {
    fc.assert(
      fc.property(affineArb, fc.constantFrom(2, 3, 4, 8, 64), (a, d) => {
        const { q, r } = divmodIdx(a, d);
        expect(divModArgumentsNonNegative(q) && divModArgumentsNonNegative(r)).toBe(true);
        for (const env of assignments()) {
          const x = evaluate(a, env);
          expect(evaluate(q, env)).toBe(Math.floor(x / d));
          expect(evaluate(r, env)).toBe(x % d);
        }
      }),
      { numRuns: 150, seed: 5 },
    );
  });

  it('a multiple of the divisor leaves the quotient: (64·v0 + v2) / 64 keeps v0 plain', () => {
    const { q, r } = divmodIdx(addIdx(scaleIdx(vars[0]!, 64), vars[2]!), 64);
    expect(q.terms.map((t) => t.atom.kind)).toEqual(['var']); // v2 < 64: no div/mod at all
    expect(r).toEqual(vars[2]);
    const wide = divmodIdx(addIdx(scaleIdx(vars[0]!, 8), vars[2]!), 4); // v2 ranges over [0, 12)
    expect(wide.q.terms.find((t) => t.atom.kind === 'var')).toEqual({ atom: vars[0]!.terms[0]!.atom, coef: 2 });
  });

  it('unravelIndex inverts linearIndex', () => {
    const shape = [5, 7, 12];
    const linear = linearIndex(vars, shape);
    const back = unravelIndex(linear, shape);
    expect(back).toEqual(vars);
    // a reshape that splits the last axis, then merges it back
    const split = unravelIndex(linear, [5, 7, 3, 4]);
    for (const env of assignments()) {
      expect(split.map((s) => evaluate(s, env))).toEqual([env['v0'], env['v1'], Math.floor(env['v2']! / 4), env['v2']! % 4]);
    }
  });
});
