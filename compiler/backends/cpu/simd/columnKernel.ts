import type { Expr } from '../../../kernel/expr.ts';
import type { RowKernel } from '../../../kernel/kernel.ts';
import { loopVar } from '../../../kernel/kernel.ts';
import { type Code, ModuleBuilder, forRange, get, i32, mul, seq, set, shl, v128Load, v128Store } from '../wasm/emitter.ts';
import { VectorExprCoder } from './exprCode.ts';
import { SIMD_MAX_PAGES, type WasmKernel, vectorKernelFrame } from './mapKernel.ts';
import { f32x4Add, f32x4Const, f32x4Max } from './ops.ts';
import { innerCoef, unsupportedReason } from './vectorize.ts';

/**
 * Why a column kernel — sums or maxima over leading axes, kept axes innermost (bias and
 * LayerNorm gradients) — cannot be vectorised (undefined when it can): every stage must be an f32
 * sum or max stored contiguously along the innermost axis, reading no other stage's result.
 */
export function columnKernelUnsupported(k: RowKernel, dtypeOf: (buffer: number) => string): string | undefined {
  const r = k.space.length;
  const R = k.reduced.length;
  if (R === 0 || R === r || k.reduced.some((a, i) => a !== i)) return 'reduced axes are not the leading ones';
  if (k.space[r - 1]! % 4 !== 0) return `innermost extent ${k.space[r - 1]} is not a multiple of 4`;
  const inner = loopVar(r - 1);
  const seen = new Set<Expr>();
  for (const st of k.stages) {
    if (st.kind !== 'reduce') return `${st.kind} stage`;
    if (st.op === 'argmax' || st.dtype !== 'f32') return `${st.op} of ${st.dtype}`;
    if (!st.store || dtypeOf(st.store.buffer) !== 'f32') return 'unstored or non-f32 result';
    if (innerCoef(st.store.index, inner) !== 1 || st.store.index.terms.some((t) => t.atom.kind !== 'var')) return 'store index';
    const why = unsupportedReason(st.expr, inner, () => false, seen);
    if (why) return why;
  }
  return undefined;
}

/**
 * A column kernel as WebAssembly SIMD, in memory order: each result is zeroed (or set to −∞),
 * then every element of the reduced axes is added (or maxed) into it four columns at a time. The
 * results accumulate in float32 where they are stored. Threads split the first kept axis (for a
 * single kept axis, groups of four columns), so no two threads touch the same result.
 */
export function wasmColumnKernel(k: RowKernel, byteOffset: (buffer: number) => number): WasmKernel {
  const r = k.space.length;
  const R = k.reduced.length;
  const { f, start, end, vars, innerVar, innerBytes } = vectorKernelFrame(r);
  const inner = loopVar(r - 1);
  const singleKept = R === r - 1;
  const vectorStep = (statements: Code[]) => seq(set(innerBytes, shl(get(innerVar), i32(2))), ...statements);

  /** Loops over axes `from`..r-2, the first kept axis ranged by [start, end), then the vector loop. */
  const nest = (coder: VectorExprCoder, from: number, statements: Code[]): Code => {
    const innerLoop = singleKept
      ? forRange(innerVar, mul(get(start), i32(4)), mul(get(end), i32(4)), i32(4), vectorStep(statements))
      : forRange(innerVar, i32(0), i32(k.space[r - 1]!), i32(4), vectorStep(statements));
    let body = seq(...coder.rowSetup, innerLoop);
    for (let a = r - 2; a >= from; a--) {
      const v = vars.get(loopVar(a))!;
      body = a === R ? forRange(v, get(start), get(end), i32(1), body) : forRange(v, i32(0), i32(k.space[a]!), i32(1), body);
    }
    return body;
  };
  const stages = k.stages.filter((st) => st.kind === 'reduce');

  const initCoder = new VectorExprCoder(f, inner, vars, innerBytes, byteOffset);
  const init = stages.map((st) => v128Store(initCoder.vectorAddress(st.store!.buffer, st.store!.index), f32x4Const(st.op === 'sum' ? 0 : -Infinity)));
  const initNest = nest(initCoder, R, init);

  const coder = new VectorExprCoder(f, inner, vars, innerBytes, byteOffset);
  coder.countUses(stages.map((st) => st.expr));
  const accumulate = stages.map((st) =>
    coder.statement(() => {
      const address = coder.vectorAddress(st.store!.buffer, st.store!.index);
      const value = coder.code(st.expr);
      return v128Store(address, st.op === 'sum' ? f32x4Add(v128Load(address), value) : f32x4Max(v128Load(address), value));
    }),
  );
  const mainNest = nest(coder, 0, accumulate);

  const m = new ModuleBuilder({ shared: true, maxPages: SIMD_MAX_PAGES });
  m.define(m.declare(f), seq(initNest, mainNest));
  return { bytes: m.encode(), units: singleKept ? k.space[r - 1]! / 4 : k.space[R]! };
}
