import type { MemoryPlan } from '../../schedule/memoryPlan.ts';
import { WebgpuLimitError } from './errors.ts';

/**
 * Where the memory plan's buffers live when its arena exceeds one storage binding: the plan's
 * address space cut into several arenas (separate GPUBuffers), only at points no buffer straddles,
 * so every offset stays valid relative to its arena's base and reuse and in-place donation are kept.
 */
export interface ArenaLayout {
  /** Arena index of each buffer. */
  readonly arenaOf: readonly number[];
  /** Byte offset in the plan where each arena starts. */
  readonly base: readonly number[];
  /** Bytes of each arena. */
  readonly bytes: readonly number[];
}

/** A buffer's place: its arena and its word offset there. */
export interface WordPlace {
  readonly arena: number;
  readonly word: number;
}

export const wordPlace = (plan: MemoryPlan, layout: ArenaLayout, b: number): WordPlace => {
  const arena = layout.arenaOf[b]!;
  return { arena, word: (plan.offsets[b]! - layout.base[arena]!) / 4 };
};

/** The WGSL name of arena `i`. */
export const arenaName = (i: number): string => `px_arena${i}`;

let testLimit: number | undefined;
/** Test-only: caps every arena at `bytes` (forces splitting on tiny programs); undefined lifts it. */
export function limitArenaBytesForTests(bytes: number | undefined): void {
  testLimit = bytes;
}

/** The cap on one arena: `deviceLimit` (the binding and buffer maxima), lowered by the test cap. */
export const arenaLimit = (deviceLimit: number): number => Math.min(deviceLimit, testLimit ?? Infinity);

/**
 * Cuts the plan into arenas of at most `limit` bytes: buffers sorted by offset form segments
 * (runs whose byte ranges chain together), consecutive segments share an arena while they fit.
 * A segment longer than `limit` cannot be split (WebgpuLimitError).
 */
export function splitArenas(plan: MemoryPlan, limit: number, limitName = 'maxStorageBufferBindingSize'): ArenaLayout {
  const n = plan.offsets.length;
  const order = [...plan.offsets.keys()].sort((a, b) => plan.offsets[a]! - plan.offsets[b]! || a - b);
  const arenaOf = new Array<number>(n).fill(0);
  const base: number[] = [0];
  const bytes: number[] = [0];
  let segStart = 0;
  let segEnd = 0;
  let members: number[] = [];
  const closeSegment = () => {
    if (!members.length) return;
    if (segEnd - segStart > limit) throw new WebgpuLimitError(limitName, segEnd - segStart, limit, 'buffers that overlap in the memory plan (one arena)');
    let a = base.length - 1;
    if (segEnd - base[a]! > limit) {
      base.push(segStart);
      bytes.push(0);
      a++;
    }
    bytes[a] = segEnd - base[a]!;
    for (const b of members) arenaOf[b] = a;
    members = [];
  };
  for (const b of order) {
    const start = plan.offsets[b]!;
    const end = start + plan.sizes[b]!;
    if (start >= segEnd) {
      closeSegment();
      segStart = start;
    }
    segEnd = Math.max(segEnd, end);
    members.push(b);
  }
  closeSegment();
  return { arenaOf, base, bytes };
}

/** The arenas a shader's WGSL uses (bound in that order of index). */
export function arenasUsed(wgsl: string): number[] {
  const used = new Set<number>();
  for (const m of wgsl.matchAll(/px_arena(\d+)\[/g)) used.add(Number(m[1]));
  return [...used].sort((a, b) => a - b);
}
