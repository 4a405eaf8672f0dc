import { dtypeBytes } from '../ir/dtype.ts';
import type { KernelProgram } from '../kernel/kernel.ts';
import { type Lifetime, lifetimes } from './liveness.ts';

/** Alignment of every buffer in the arena (a cache line; also what SIMD loads like). */
export const BUFFER_ALIGN = 64;
const align = (n: number) => Math.ceil(n / BUFFER_ALIGN) * BUFFER_ALIGN;

export interface MemoryPlan {
  /** Byte offset of each buffer in the arena. */
  readonly offsets: readonly number[];
  /** Bytes of each buffer (aligned). */
  readonly sizes: readonly number[];
  readonly lifetimes: readonly Lifetime[];
  /** Arena bytes needed. */
  readonly peakBytes: number;
  /** What every buffer would take without reuse. */
  readonly unplannedBytes: number;
  /** Buffers whose lifetime ends after each kernel (for poisoning in debug mode). */
  readonly freedAfter: readonly (readonly number[])[];
}

/**
 * Assigns arena offsets so buffers whose lifetimes overlap never share bytes, and buffers that are
 * dead reuse the space: greedy best fit, largest buffers first, against the placed buffers whose
 * lifetimes intersect. Aliases (donated state) share an offset with their partner.
 */
export function planMemory(p: KernelProgram, aliases: ReadonlyMap<number, number> = new Map()): MemoryPlan {
  const life = lifetimes(p).map((l) => ({ ...l }));
  // an alias pair is one allocation living as long as both
  for (const [out, inp] of aliases) {
    const lo = Math.min(life[out]!.start, life[inp]!.start);
    const hi = Math.max(life[out]!.end, life[inp]!.end);
    life[inp] = { start: lo, end: hi };
    life[out] = { start: lo, end: hi };
  }
  const sizes = p.buffers.map((b) => align(Math.max(1, b.size) * dtypeBytes(b.dtype)));
  const offsets = new Array<number>(p.buffers.length).fill(-1);
  const order = p.buffers.map((b) => b.id).filter((b) => !aliases.has(b)).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  const placed: number[] = [];
  const overlaps = (a: number, b: number) => life[a]!.start <= life[b]!.end && life[b]!.start <= life[a]!.end;
  for (const b of order) {
    const busy = placed.filter((o) => overlaps(o, b)).map((o) => [offsets[o]!, offsets[o]! + sizes[o]!] as const).sort((x, y) => x[0] - y[0]);
    let best = -1;
    let bestGap = Infinity;
    let cursor = 0;
    for (const [s, e] of busy) {
      const gap = s - cursor;
      if (gap >= sizes[b]! && gap < bestGap) {
        best = cursor;
        bestGap = gap;
      }
      cursor = Math.max(cursor, e);
    }
    offsets[b] = best >= 0 ? best : cursor;
    placed.push(b);
  }
  for (const [out, inp] of aliases) offsets[out] = offsets[inp]!;
  const peakBytes = p.buffers.reduce((m, _, b) => Math.max(m, offsets[b]! + sizes[b]!), 0);
  const unplannedBytes = sizes.reduce((a, b) => a + b, 0);
  const freedAfter = p.kernels.map((): number[] => []);
  life.forEach((l, b) => {
    const role = p.buffers[b]!.role;
    if (role === 'temp' && l.end >= 0 && l.end < p.kernels.length && !aliases.has(b) && ![...aliases.values()].includes(b)) freedAfter[l.end]!.push(b);
  });
  return { offsets, sizes, lifetimes: life, peakBytes, unplannedBytes, freedAfter };
}
