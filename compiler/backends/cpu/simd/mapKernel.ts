import type { MapKernel } from '../../../kernel/kernel.ts';
import { loopVar } from '../../../kernel/kernel.ts';
import { type Code, FuncBuilder, I32, type Local, ModuleBuilder, forRange, get, i32, mul, seq, set, shl, v128Store } from '../wasm/emitter.ts';
import { VectorExprCoder } from './exprCode.ts';
import { innerCoef, unsupportedReason } from './vectorize.ts';

export const SIMD_MAX_PAGES = 65536;

/** A compiled elementwise kernel: export `kernel(start, end)` over `units` outer iterations. */
export interface WasmKernel {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly units: number;
}

/** Why a map kernel cannot be vectorised (undefined when it can). */
export function mapKernelUnsupported(k: MapKernel, dtypeOf: (buffer: number) => string): string | undefined {
  const r = k.space.length;
  if (r === 0) return 'scalar kernel';
  if (k.space[r - 1]! % 4 !== 0) return `innermost extent ${k.space[r - 1]} is not a multiple of 4`;
  const inner = loopVar(r - 1);
  const seen = new Set<import('../../../kernel/expr.ts').Expr>();
  for (const s of k.stores) {
    if (dtypeOf(s.buffer) !== 'f32') return `${dtypeOf(s.buffer)} output`;
    if (innerCoef(s.index, inner) !== 1 || s.index.terms.some((t) => t.atom.kind !== 'var')) return 'store index';
    const why = unsupportedReason(s.expr, inner, () => false, seen);
    if (why) return why;
  }
  return undefined;
}

/** The `kernel(start, end)` function of a rank-r kernel, with i32 locals for loop variables 0..r-2, the inner one and its byte offset. */
export function vectorKernelFrame(rank: number) {
  const f = new FuncBuilder('kernel', [I32, I32], []);
  const [start, end] = f.params as [Local, Local];
  const vars = new Map<string, Local>();
  for (let a = 0; a < rank - 1; a++) vars.set(loopVar(a), f.local(I32));
  return { f, start, end, vars, innerVar: f.local(I32), innerBytes: f.local(I32) };
}

/**
 * A map kernel as a WebAssembly SIMD function: nested loops as in the JavaScript version, the
 * innermost one four lanes at a time. Outer iterations [start, end) are the unit of work split
 * across threads (for a rank-1 space, groups of four elements).
 */
export function wasmMapKernel(k: MapKernel, byteOffset: (buffer: number) => number): WasmKernel {
  const r = k.space.length;
  const { f, start, end, vars, innerVar, innerBytes } = vectorKernelFrame(r);
  const coder = new VectorExprCoder(f, loopVar(r - 1), vars, innerBytes, byteOffset);
  coder.countUses(k.stores.map((s) => s.expr));
  const stores = k.stores.map((s) => coder.statement(() => v128Store(coder.vectorAddress(s.buffer, s.index), coder.code(s.expr))));
  const innerExtent = k.space[r - 1]!;
  const vectorBody = seq(set(innerBytes, shl(get(innerVar), i32(2))), ...stores);

  let body: Code;
  if (r === 1) {
    // units are groups of four elements
    body = forRange(innerVar, mul(get(start), i32(4)), mul(get(end), i32(4)), i32(4), seq(...coder.rowSetup, vectorBody));
  } else {
    let nest = seq(...coder.rowSetup, forRange(innerVar, i32(0), i32(innerExtent), i32(4), vectorBody));
    for (let a = r - 2; a >= 0; a--) {
      const v = vars.get(loopVar(a))!;
      nest = a === 0 ? forRange(v, get(start), get(end), i32(1), nest) : forRange(v, i32(0), i32(k.space[a]!), i32(1), nest);
    }
    body = nest;
  }
  const m = new ModuleBuilder({ shared: true, maxPages: SIMD_MAX_PAGES });
  m.define(m.declare(f), body);
  return { bytes: m.encode(), units: r === 1 ? innerExtent / 4 : k.space[0]! };
}

