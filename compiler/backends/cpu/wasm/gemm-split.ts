// Splitting one GEMM call into independent parts for threads. Every part is itself a valid
// GemmCall (same contract), so a thread needs nothing but its own call and scratch.
//
// Which dimension: whole batch entries when there are enough (no redundant packing); otherwise
// rows or columns, whichever repacks less. A row split makes every part pack all of op(B) (k×n
// floats each), a column split makes every part pack all of op(A) (m×k each), so split rows when
// m ≥ n and columns otherwise.

import type { GemmCall } from './gemm.ts';

/** Row or column chunks at least this long keep the redundant packing to a few % of the work. */
const MIN_CHUNK = 256;
/** At most this many parts per thread. */
const PARTS_PER_THREAD = 4;

/**
 * How many parts to cut `call` into for `threads` threads: several per thread where that is
 * cheap (batch entries, or row / column chunks of at least MIN_CHUNK), so that threads claiming
 * parts dynamically balance out a thread slowed by a busy neighbour; `threads` otherwise.
 */
export function gemmPartCount(call: GemmCall, threads: number, maxParts = 64): number {
  if (threads <= 1) return 1;
  const cap = Math.min(maxParts, PARTS_PER_THREAD * threads);
  if (call.batch >= 2 * threads) return Math.min(call.batch, cap);
  const rows = call.rowEnd - call.rowStart;
  const len = rows >= call.n ? rows : call.n;
  return Math.max(threads, Math.min(cap, Math.floor(len / MIN_CHUNK)));
}

/** Rows are split at multiples of this (a multiple of every micro-tile height). */
const ROW_QUANTUM = 6;
/** Columns are split at multiples of this (a multiple of every micro-tile width). */
const COL_QUANTUM = 48;

export function splitGemm(call: GemmCall, parts: number): GemmCall[] {
  const rows = call.rowEnd - call.rowStart;
  if (parts <= 1 || rows === 0 || call.n === 0) return [call];
  if (call.batch >= parts && (call.batch % parts === 0 || call.batch >= 4 * parts)) return splitBatch(call, parts);
  if (rows >= call.n && rows >= 2 * ROW_QUANTUM) return splitRows(call, parts);
  if (call.n >= 2 * COL_QUANTUM) return splitCols(call, parts);
  if (rows >= 2 * ROW_QUANTUM) return splitRows(call, parts);
  if (call.batch >= parts) return splitBatch(call, parts);
  return [call];
}

/** Boundaries of `parts` near-equal chunks of [0, total), at multiples of `quantum`. */
function chunks(total: number, parts: number, quantum: number): number[] {
  const p = Math.min(parts, Math.ceil(total / quantum));
  const out = [0];
  for (let i = 1; i < p; i++) {
    const at = Math.min(total, Math.round((total * i) / p / quantum) * quantum);
    if (at > out[out.length - 1]! && at < total) out.push(at);
  }
  out.push(total);
  return out;
}

function splitBatch(call: GemmCall, parts: number): GemmCall[] {
  const b = chunks(call.batch, parts, 1);
  return b.slice(1).map((end, i) => ({
    ...call,
    batch: end - b[i]!,
    a: call.a + 4 * b[i]! * call.strideA,
    b: call.b + 4 * b[i]! * call.strideB,
    c: call.c + 4 * b[i]! * call.strideC,
  }));
}

function splitRows(call: GemmCall, parts: number): GemmCall[] {
  const r = chunks(call.rowEnd - call.rowStart, parts, ROW_QUANTUM);
  return r.slice(1).map((end, i) => ({ ...call, rowStart: call.rowStart + r[i]!, rowEnd: call.rowStart + end }));
}

function splitCols(call: GemmCall, parts: number): GemmCall[] {
  const c = chunks(call.n, parts, COL_QUANTUM);
  return c.slice(1).map((end, i) => {
    const j0 = c[i]!;
    return {
      ...call,
      n: end - j0,
      b: call.b + 4 * (call.transB ? j0 * call.ldb : j0),
      c: call.c + 4 * j0,
    };
  });
}
