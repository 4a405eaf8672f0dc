import type { MapKernel } from '../../../kernel/kernel.ts';
import { loopVar } from '../../../kernel/kernel.ts';
import type { Affine } from '../../../kernel/indexExpr.ts';
import { type Code, FuncBuilder, I32, type Local, ModuleBuilder, V128, add, f32x4Shuffle, forRange, get, i32, mul, seq, set, v128Load, v128Store } from '../wasm/emitter.ts';
import { affineI32 } from './indexCode.ts';
import { SIMD_MAX_PAGES, type WasmKernel } from './mapKernel.ts';
import { innerCoef, involves, isInnerVar } from './vectorize.ts';

/** How a transposing copy is laid out: the axis read contiguously (`across`) and the read's step along the inner axis. */
interface TransposePlan {
  readonly across: number;
  /** Elements between the source values of consecutive inner positions (within a group of four). */
  readonly innerStep: number;
}

/**
 * A copy whose destination is contiguous along the innermost axis but whose source is contiguous
 * along another axis (`across`, a multiple of 4 long): a transpose (keys for QKᵀ, attention heads
 * split off the hidden axis). Returns the plan, or why there is none.
 */
export function transposePlan(k: MapKernel, dtypeOf: (buffer: number) => string): TransposePlan | string {
  const r = k.space.length;
  if (r < 2 || k.stores.length !== 1) return 'not a single-store kernel of rank ≥ 2';
  if (k.space[r - 1]! % 4 !== 0) return `innermost extent ${k.space[r - 1]} is not a multiple of 4`;
  const inner = loopVar(r - 1);
  const store = k.stores[0]!;
  const e = store.expr;
  if (e.k !== 'load') return 'not a copy';
  const bytes = (d: string) => d === 'f32' || d === 'i32' || d === 'u32';
  if (!bytes(dtypeOf(store.buffer)) || !bytes(dtypeOf(e.buffer)) || dtypeOf(store.buffer) !== dtypeOf(e.buffer)) return 'not a 32-bit copy';
  if (store.index.terms.some((t) => t.atom.kind !== 'var') || innerCoef(store.index, inner) !== 1) return 'store index';
  let innerStep = 0;
  for (const t of e.index.terms) {
    const at = t.atom;
    if (at.kind === 'value') return 'value index';
    if (at.kind === 'var') {
      if (at.name === inner) innerStep += t.coef;
      continue;
    }
    if (!involves(at.a, inner)) continue;
    if (!isInnerVar(at.a, inner) || at.d % 4 !== 0) return `${at.kind} of the innermost axis by ${at.d}`;
    if (at.kind === 'mod') innerStep += t.coef;
  }
  if (innerStep === 1) return 'contiguous (a plain SIMD kernel)';
  if (innerStep < 0) return 'reversed along the innermost axis';
  for (let a = 0; a < r - 1; a++) {
    const name = loopVar(a);
    if (k.space[a]! % 4 !== 0) continue;
    const coefs = e.index.terms.filter((t) => t.atom.kind === 'var' && t.atom.name === name);
    const inDivMod = e.index.terms.some((t) => t.atom.kind !== 'var' && t.atom.kind !== 'value' && involves(t.atom.a, name));
    if (coefs.length === 1 && coefs[0]!.coef === 1 && !inDivMod) return { across: a, innerStep };
  }
  return 'no other axis is read contiguously';
}

/**
 * The transposing copy as WebAssembly SIMD, in 4x4 tiles: four vectors read along `across` (at
 * four consecutive inner positions) are transposed with shuffles into four vectors along the inner
 * axis and stored. Threads split axis 0 (in groups of four when it is the `across` axis).
 */
export function wasmTransposeKernel(k: MapKernel, plan: TransposePlan, byteOffset: (buffer: number) => number): WasmKernel {
  const r = k.space.length;
  const store = k.stores[0]!;
  const load = store.expr as Extract<MapKernel['stores'][number]['expr'], { k: 'load' }>;
  const f = new FuncBuilder('kernel', [I32, I32], []);
  const [start, end] = f.params as [Local, Local];
  const vars = k.space.map(() => f.local(I32));
  const varOf = new Map(k.space.map((_, a) => [loopVar(a), vars[a]!] as const));

  const byteAddress = (buffer: number, a: Affine): Code => add(i32(byteOffset(buffer)), mul(affineI32(a, (v) => get(varOf.get(v)!)), i32(4)));

  const src = f.local(I32);
  const dst = f.local(I32);
  const rows = [0, 1, 2, 3].map(() => f.local(V128));
  const pairs = [0, 1, 2, 3].map(() => f.local(V128));
  const acrossName = loopVar(plan.across);
  const storeAcross = 4 * (store.index.terms.find((t) => t.atom.kind === 'var' && t.atom.name === acrossName)?.coef ?? 0);
  const innerStepBytes = 4 * plan.innerStep;
  const tile = seq(
    set(src, byteAddress(load.buffer, load.index)),
    set(dst, byteAddress(store.buffer, store.index)),
    // rows[j] = source values at (across + 0..3, inner + j)
    ...rows.map((row, j) => set(row, v128Load(get(src), j * innerStepBytes))),
    set(pairs[0]!, f32x4Shuffle(get(rows[0]!), get(rows[1]!), [0, 4, 1, 5])),
    set(pairs[1]!, f32x4Shuffle(get(rows[0]!), get(rows[1]!), [2, 6, 3, 7])),
    set(pairs[2]!, f32x4Shuffle(get(rows[2]!), get(rows[3]!), [0, 4, 1, 5])),
    set(pairs[3]!, f32x4Shuffle(get(rows[2]!), get(rows[3]!), [2, 6, 3, 7])),
    // column i of the tile = destination values at (across + i, inner + 0..3)
    v128Store(get(dst), f32x4Shuffle(get(pairs[0]!), get(pairs[2]!), [0, 1, 4, 5])),
    v128Store(add(get(dst), i32(storeAcross)), f32x4Shuffle(get(pairs[0]!), get(pairs[2]!), [2, 3, 6, 7])),
    v128Store(add(get(dst), i32(2 * storeAcross)), f32x4Shuffle(get(pairs[1]!), get(pairs[3]!), [0, 1, 4, 5])),
    v128Store(add(get(dst), i32(3 * storeAcross)), f32x4Shuffle(get(pairs[1]!), get(pairs[3]!), [2, 3, 6, 7])),
  );
  let body: Code = tile;
  for (let a = r - 1; a >= 0; a--) {
    const step = a === r - 1 || a === plan.across ? 4 : 1;
    const v = vars[a]!;
    if (a === 0) body = forRange(v, mul(get(start), i32(step)), mul(get(end), i32(step)), i32(step), body);
    else body = forRange(v, i32(0), i32(k.space[a]!), i32(step), body);
  }
  const m = new ModuleBuilder({ shared: true, maxPages: SIMD_MAX_PAGES });
  m.define(m.declare(f), body);
  return { bytes: m.encode(), units: plan.across === 0 ? k.space[0]! / 4 : k.space[0]! };
}
