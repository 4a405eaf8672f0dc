import type { Expr } from '../kernel/expr.ts';
import type { Kernel, KernelProgram, RowStage } from '../kernel/kernel.ts';

/** Every expression a kernel evaluates (roots of its store values). */
export function kernelExprs(k: Kernel): Expr[] {
  switch (k.kind) {
    case 'map': return k.stores.map((s) => s.expr);
    case 'row': return k.stages.flatMap((s: RowStage) => (s.kind === 'innerMap' ? s.stores.map((x) => x.expr) : [s.expr]));
    case 'matmul': return k.epilogue ? k.epilogue.stores.map((s) => s.expr) : [];
    case 'scatter': return [k.value, ...atomExprs(k.target)];
  }
}

function atomExprs(index: { terms: readonly { atom: { kind: string } }[] }): Expr[] {
  const out: Expr[] = [];
  for (const t of index.terms) {
    const a = t.atom as { kind: string; expr?: Expr; a?: typeof index };
    if (a.kind === 'value' && a.expr) out.push(a.expr);
    if ((a.kind === 'div' || a.kind === 'mod') && a.a) out.push(...atomExprs(a.a));
  }
  return out;
}

/** Buffers an expression tree reads. */
export function buffersRead(exprs: readonly Expr[]): Set<number> {
  const out = new Set<number>();
  const seen = new Set<Expr>();
  const walk = (e: Expr) => {
    if (seen.has(e)) return;
    seen.add(e);
    switch (e.k) {
      case 'load': out.add(e.buffer); atomExprs(e.index).forEach(walk); return;
      case 'index': atomExprs(e.index).forEach(walk); return;
      case 'inRange': atomExprs(e.index).forEach(walk); return;
      case 'random': out.add(e.keyBuffer); atomExprs(e.counter).forEach(walk); return;
      case 'unary': case 'cast': walk(e.a); return;
      case 'binary': walk(e.a); walk(e.b); return;
      case 'select': walk(e.cond); walk(e.a); walk(e.b); return;
      case 'checkIndex': walk(e.value); return;
      case 'const': case 'rowValue': return;
    }
  };
  exprs.forEach(walk);
  return out;
}

/** Buffers a kernel reads and writes. */
export function kernelBuffers(k: Kernel): { reads: Set<number>; writes: Set<number> } {
  const reads = buffersRead(kernelExprs(k));
  const writes = new Set<number>();
  switch (k.kind) {
    case 'map': k.stores.forEach((s) => writes.add(s.buffer)); break;
    case 'row':
      for (const s of k.stages) {
        if (s.kind === 'innerMap') s.stores.forEach((x) => writes.add(x.buffer));
        else if (s.store) writes.add(s.store.buffer);
      }
      break;
    case 'matmul':
      reads.add(k.a.buffer);
      reads.add(k.b.buffer);
      writes.add(k.c);
      k.epilogue?.stores.forEach((s) => writes.add(s.buffer));
      break;
    case 'scatter': writes.add(k.out); break;
  }
  return { reads, writes };
}

export interface Lifetime {
  /** Kernel index of the first write (-1: alive on entry). */
  readonly start: number;
  /** Kernel index of the last read (kernels.length: alive on exit). */
  readonly end: number;
}

/** Live interval of every buffer over the kernel schedule. */
export function lifetimes(p: KernelProgram): Lifetime[] {
  const n = p.kernels.length;
  const start = p.buffers.map((b) => (b.role === 'input' || b.role === 'literal' ? -1 : Infinity));
  const end = p.buffers.map((b) => (b.role === 'output' || b.role === 'literal' ? n : -1));
  p.kernels.forEach((k, i) => {
    const { reads, writes } = kernelBuffers(k);
    for (const b of writes) start[b] = Math.min(start[b]!, i);
    for (const b of [...reads, ...writes]) end[b] = Math.max(end[b]!, i);
  });
  for (const o of p.outputBuffers) end[o] = n;
  return p.buffers.map((_, b) => ({ start: start[b] === Infinity ? -1 : start[b]!, end: Math.max(end[b]!, start[b] === Infinity ? -1 : start[b]!) }));
}
