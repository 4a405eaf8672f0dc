// The register-blocked micro-kernel: C[0:rows, 0:4·vecs] (+)= Apanel · Bpanel over kc steps.
//
// Packed panels: A holds, per k step, MR floats (one per row); B holds NR floats (one per
// column). Each step broadcasts `rows` A values, loads `vecs` f32x4 from B and does rows×vecs
// multiply-adds into accumulators kept in locals (registers, when V8 has enough).
//
// Why 3×12 (and no unrolling): TurboFan keeps wasm loads in program order but lets the pure
// multiply-adds sink towards the loop end, so all loads of an iteration are live at once. With
// rows·vecs accumulators and rows+vecs loaded values per step, (rows+1)(vecs+1) must stay ≤ 16 to
// fit V8's 15 allocatable xmm registers on x64; 3×3 vectors maximises multiply-adds per load.
// Unrolling the k loop multiplies the loads live at once and spills (measured: 2-3× slower), but
// the small edge kernels have registers to spare, so they unroll as far as they fit.

import {
  type Code, type Local, FuncBuilder, ModuleBuilder, I32, V128,
  add, block, brIf, f32x4Add, f32x4Mul, f32x4RelaxedMadd, get, i32, ifThen, load32Splat, loop, ltS, ne,
  mul, seq, set, sub, v128Load, v128Store, eqz, br,
} from './emitter.ts';

export interface MicroKernelShape {
  /** Rows computed (≤ MR). */
  readonly rows: number;
  /** f32x4 column vectors computed (≤ NR/4). */
  readonly vecs: number;
  /** Packed panel strides. */
  readonly MR: number;
  readonly NR: number;
  readonly fma: boolean;
  /** k-loop unroll; 0 = the largest (≤ 4) whose loads still fit in registers (see above). */
  readonly unroll: number;
}

/**
 * Declares micro(ap, bp, kc, cp, ldcBytes, accum) in `mod`; kc ≥ 1. With accum = 0 the tile is
 * stored, otherwise added to C. Returns the function index.
 */
export function defineMicroKernel(mod: ModuleBuilder, s: MicroKernelShape): number {
  const { rows, vecs, MR, NR } = s;
  const U = s.unroll > 0 ? s.unroll : autoUnroll(rows, vecs, s.fma);
  const f = new FuncBuilder(null, [I32, I32, I32, I32, I32, I32], []);
  const index = mod.declare(f);
  const [ap, bp, kc, cp, ldc, accum] = f.params as [Local, Local, Local, Local, Local, Local];
  const madd = (a: Code, b: Code, c: Code): Code => (s.fma ? f32x4RelaxedMadd(a, b, c) : f32x4Add(c, f32x4Mul(a, b)));

  const acc: Local[][] = [];
  for (let i = 0; i < rows; i++) acc.push(Array.from({ length: vecs }, () => f.local(V128)));
  const bv = Array.from({ length: vecs }, () => f.local(V128));
  const av = f.local(V128);
  const step = (u: number): Code => seq(
    ...bv.map((b, j) => set(b, v128Load(get(bp), (u * NR + 4 * j) * 4))),
    ...acc.map((row, i) => seq(
      set(av, load32Splat(get(ap), (u * MR + i) * 4)),
      ...row.map((c, j) => set(c, madd(get(av), get(bv[j]!), get(c)))),
    )),
  );
  const advance = (steps: number): Code => seq(
    set(ap, add(get(ap), i32(steps * MR * 4))),
    set(bp, add(get(bp), i32(steps * NR * 4))),
  );
  const row = f.local(I32);
  const storeTile = (accumulate: boolean): Code => seq(
    set(row, get(cp)),
    ...acc.map((r, i) => seq(
      ...r.map((c, j) => v128Store(get(row), accumulate ? f32x4Add(v128Load(get(row), 16 * j), get(c)) : get(c), 16 * j)),
      i < rows - 1 ? set(row, add(get(row), get(ldc))) : [],
    )),
  );
  const apEnd = f.local(I32);
  // U = 1: do-while on the A pointer against its end (no separate counter to update).
  const body = U === 1
    ? seq(
      set(apEnd, add(get(ap), mul(get(kc), i32(MR * 4)))),
      loop(step(0), advance(1), brIf(0, ne(get(ap), get(apEnd)))),
    )
    : seq(
      block(loop(
        brIf(1, ltS(get(kc), i32(U))),
        ...Array.from({ length: U }, (_, u) => step(u)),
        advance(U),
        set(kc, sub(get(kc), i32(U))),
        br(0),
      )),
      block(loop(
        brIf(1, eqz(get(kc))),
        step(0),
        advance(1),
        set(kc, sub(get(kc), i32(1))),
        br(0),
      )),
    );
  // Accumulators start at zero: wasm zero-initialises locals.
  mod.define(index, seq(body, ifThen(get(accum), storeTile(true), storeTile(false))));
  return index;
}

/** Largest unroll u ≤ 4 with accumulators + u·(loads per step) (+1 temporary without FMA) ≤ 15. */
export function autoUnroll(rows: number, vecs: number, fma: boolean): number {
  for (let u = 4; u > 1; u--) if (rows * vecs + u * (rows + vecs) + (fma ? 0 : 1) <= 15) return u;
  return 1;
}
