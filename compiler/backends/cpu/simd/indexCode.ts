import type { Affine, Atom } from '../../../kernel/indexExpr.ts';
import { type Code, add, and, divU, i32, mul, remU, shrU } from '../wasm/emitter.ts';

/**
 * i32 code for an index atom, given the code of each loop variable. Index values are non-negative,
 * so quotients and remainders are unsigned (shifts and masks for powers of two).
 */
export function atomI32(a: Atom, variable: (name: string) => Code): Code {
  switch (a.kind) {
    case 'var': return variable(a.name);
    case 'div': case 'mod': {
      const x = affineI32(a.a, variable);
      const pow2 = (a.d & (a.d - 1)) === 0;
      if (a.kind === 'div') return pow2 ? shrU(x, i32(Math.log2(a.d))) : divU(x, i32(a.d));
      return pow2 ? and(x, i32(a.d - 1)) : remU(x, i32(a.d));
    }
    case 'value': throw new Error('simd: a data-dependent index has no i32 code here (the vectoriser rejects it)');
  }
}

/** i32 code for an affine index. */
export const affineI32 = (a: Affine, variable: (name: string) => Code): Code =>
  a.terms.reduce<Code>((acc, t) => add(acc, mul(atomI32(t.atom, variable), i32(t.coef))), i32(a.c));
