import { dtypeBytes } from './ir/dtype.ts';
import type { KernelProgram } from './kernel/kernel.ts';
import type { MemoryPlan } from './schedule/memoryPlan.ts';

const kb = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`);

/**
 * A readable listing of a compiled program: every kernel with the graph ops it fuses, the
 * buffers it reads and writes with their sizes, and (when given) the generated source.
 */
export function explainProgram(p: KernelProgram, plan: MemoryPlan, sources?: ReadonlyMap<number, readonly string[]>): string {
  const lines: string[] = [];
  lines.push(`${p.kernels.length} kernels, ${p.buffers.length} buffers, peak ${kb(plan.peakBytes)} (unplanned ${kb(plan.unplannedBytes)})`);
  const buf = (b: number) => {
    const info = p.buffers[b]!;
    return `b${b}:${info.role}:${info.dtype}[${info.shape.join(',')}]@${plan.offsets[b]} (${kb(info.size * dtypeBytes(info.dtype))})`;
  };
  p.kernels.forEach((k, i) => {
    const ops = k.nodes.map((n) => n.op).join(', ');
    let shape = '';
    if (k.kind === 'map') shape = `space [${k.space.join(',')}], writes ${k.stores.map((s) => buf(s.buffer)).join('; ')}`;
    if (k.kind === 'row') shape = `space [${k.space.join(',')}] reducing axes [${k.reduced.join(',')}], ${k.stages.length} stages (${k.stages.map((s) => (s.kind === 'reduce' ? s.op : s.kind)).join(' -> ')})`;
    if (k.kind === 'matmul') {
      shape = `batch ${k.batch} x [${k.m} x ${k.k}] @ [${k.k} x ${k.n}]${k.a.trans ? ' (A^T)' : ''}${k.b.trans ? ' (B^T)' : ''} -> ${buf(k.c)}${k.epilogue ? `; epilogue writes ${k.epilogue.stores.map((s) => buf(s.buffer)).join('; ')}` : ''}`;
    }
    if (k.kind === 'scatter') shape = `space [${k.space.join(',')}] -> ${buf(k.out)}`;
    lines.push(`#${i} ${k.kind}: ${shape}`);
    if (ops) lines.push(`    fuses: ${ops}`);
    for (const src of sources?.get(i) ?? []) lines.push(...src.split('\n').map((l) => `    | ${l}`));
  });
  return lines.join('\n');
}
