import type { Expr } from '../../../kernel/expr.ts';
import type { RowKernel } from '../../../kernel/kernel.ts';
import { loopVar } from '../../../kernel/kernel.ts';
import { type Code, FuncBuilder, I32, type Local, ModuleBuilder, V128, add, f32Store, forRange, get, i32, mul, seq, set, shl, v128Store } from '../wasm/emitter.ts';
import { f32x4Shuffle } from '../wasm/emitter.ts';
import { passesOf } from '../jsKernel.ts';
import { VectorExprCoder } from './exprCode.ts';
import { SIMD_MAX_PAGES, type WasmKernel } from './mapKernel.ts';
import { f32x4Add, f32x4Const, f32x4ExtractLane, f32x4Max } from './ops.ts';
import { innerCoef, unsupportedReason } from './vectorize.ts';

/** Why a row kernel cannot be vectorised (undefined when it can): one innermost reduced axis, f32 sums/maxima. */
export function rowKernelUnsupported(k: RowKernel, dtypeOf: (buffer: number) => string): string | undefined {
  const r = k.space.length;
  if (k.reduced.length !== 1 || k.reduced[0] !== r - 1) return 'reduced axes are not the innermost one';
  if (k.space[r - 1]! % 4 !== 0) return `row length ${k.space[r - 1]} is not a multiple of 4`;
  const inner = loopVar(r - 1);
  const seen = new Set<Expr>();
  const rowValueOk = () => true;
  for (const st of k.stages) {
    if (st.kind === 'reduce') {
      if (st.op === 'argmax' || st.dtype !== 'f32') return `${st.op} of ${st.dtype}`;
      if (st.store && dtypeOf(st.store.buffer) !== 'f32') return 'row store dtype';
      const why = unsupportedReason(st.expr, inner, rowValueOk, seen);
      if (why) return why;
    } else if (st.kind === 'rowMap') {
      if (st.dtype !== 'f32') return `${st.dtype} row value`;
      const why = unsupportedReason(st.expr, inner, rowValueOk, seen);
      if (why) return why;
    } else {
      for (const s of st.stores) {
        if (dtypeOf(s.buffer) !== 'f32') return `${dtypeOf(s.buffer)} output`;
        if (innerCoef(s.index, inner) !== 1 || s.index.terms.some((t) => t.atom.kind !== 'var')) return 'store index';
        const why = unsupportedReason(s.expr, inner, rowValueOk, seen);
        if (why) return why;
      }
    }
  }
  return undefined;
}

/** All four lanes = the sum (or max) of the four lanes. */
function horizontal(v: Local, op: 'sum' | 'max'): Code {
  const f = op === 'sum' ? f32x4Add : f32x4Max;
  const step1 = f(get(v), f32x4Shuffle(get(v), get(v), [2, 3, 0, 1]));
  return seq(set(v, step1), f(get(v), f32x4Shuffle(get(v), get(v), [1, 0, 3, 2])));
}

/**
 * A row kernel (softmax, LayerNorm, cross-entropy...) as WebAssembly SIMD: per row, each pass
 * runs over the row four lanes at a time; reductions keep four partial results and combine them
 * at the end of the pass; row values are kept splatted across lanes.
 */
export function wasmRowKernel(k: RowKernel, byteOffset: (buffer: number) => number): WasmKernel {
  const r = k.space.length;
  const kept = k.space.map((_, i) => i).slice(0, r - 1);
  const f = new FuncBuilder('kernel', [I32, I32], []);
  const [start, end] = f.params as [Local, Local];
  const vars = new Map<string, Local>();
  for (const a of kept) vars.set(loopVar(a), f.local(I32));
  const innerVar = f.local(I32);
  const innerBytes = f.local(I32);
  const rowValues = new Map<number, Local>();
  const rowValue = (stage: number): Code => get(rowValues.get(stage)!);
  const inner = loopVar(r - 1);
  const rowLength = k.space[r - 1]!;

  // Address of a per-row store (index over the kept axes) — the row's own element.
  const rowAddress = (buffer: number, index: import('../../../kernel/indexExpr.ts').Affine): Code => {
    let addr: Code = i32(byteOffset(buffer) + 4 * index.c);
    for (const t of index.terms) addr = add(addr, mul(get(vars.get((t.atom as { name: string }).name)!), i32(4 * t.coef)));
    return addr;
  };

  const rowBody: Code[] = [];
  for (const pass of passesOf(k.stages)) {
    const coder = new VectorExprCoder(f, inner, vars, innerBytes, byteOffset, rowValue);
    if (!Array.isArray(pass)) {
      coder.countUses([pass.expr]);
      const value = coder.code(pass.expr);
      const l = f.local(V128);
      rowBody.push(...coder.rowSetup, set(l, value));
      rowValues.set(pass.index, l);
      if (pass.store) rowBody.push(f32Store(rowAddress(pass.store.buffer, pass.store.index), f32x4ExtractLane(get(l), 0)));
      continue;
    }
    coder.countUses(pass.flatMap((st) => (st.kind === 'reduce' ? [st.expr] : st.stores.map((x) => x.expr))));
    const accs = new Map<number, Local>();
    const init: Code[] = [];
    const statements: Code[] = [];
    for (const st of pass) {
      if (st.kind === 'innerMap') {
        for (const x of st.stores) statements.push(coder.statement(() => v128Store(coder.vectorAddress(x.buffer, x.index), coder.code(x.expr))));
        continue;
      }
      const acc = f.local(V128);
      accs.set(st.index, acc);
      init.push(set(acc, f32x4Const(st.op === 'sum' ? 0 : -Infinity)));
      statements.push(coder.statement(() => {
        const v = coder.code(st.expr);
        return set(acc, st.op === 'sum' ? f32x4Add(get(acc), v) : f32x4Max(get(acc), v));
      }));
    }
    rowBody.push(
      ...init,
      ...coder.rowSetup,
      forRange(innerVar, i32(0), i32(rowLength), i32(4), seq(set(innerBytes, shl(get(innerVar), i32(2))), ...statements)),
    );
    for (const st of pass) {
      if (st.kind !== 'reduce') continue;
      const acc = accs.get(st.index)!;
      rowBody.push(set(acc, horizontal(acc, st.op as 'sum' | 'max')));
      rowValues.set(st.index, acc);
      if (st.store) rowBody.push(f32Store(rowAddress(st.store.buffer, st.store.index), f32x4ExtractLane(get(acc), 0)));
    }
  }

  let body: Code = seq(...rowBody);
  if (kept.length === 0) {
    body = forRange(f.local(I32), get(start), get(end), i32(1), body); // a single row: units = 1
  } else {
    for (let i = kept.length - 1; i >= 0; i--) {
      const v = vars.get(loopVar(kept[i]!))!;
      body = i === 0 ? forRange(v, get(start), get(end), i32(1), body) : forRange(v, i32(0), i32(k.space[kept[i]!]!), i32(1), body);
    }
  }
  const m = new ModuleBuilder({ shared: true, maxPages: SIMD_MAX_PAGES });
  m.define(m.declare(f), body);
  return { bytes: m.encode(), units: kept.length === 0 ? 1 : k.space[kept[0]!]! };
}
