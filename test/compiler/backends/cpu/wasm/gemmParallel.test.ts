import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { instantiateGemm, type GemmCall } from '../../../../../compiler/backends/cpu/wasm/gemm.ts';
import { ParallelGemm, gemmThreadScratchBytes } from '../../../../../compiler/backends/cpu/wasm/gemm-parallel.ts';
import { splitGemm } from '../../../../../compiler/backends/cpu/wasm/gemm-split.ts';
import { WorkerPool } from '../../../../../compiler/backends/cpu/wasm/pool.ts';
import { check, fill, layout, snapshot, type Problem } from './gemmHarness.ts';

const THREADS = 3; // more than this machine's cores on purpose: uneven splits
const memory = new WebAssembly.Memory({ initial: 32, maximum: 1024, shared: true });
const pool = new WorkerPool({ memory, threads: THREADS, spinMicros: 50 });
afterAll(() => pool.close());
const par = new ParallelGemm(pool, { minFlopsPerThread: 0 });
const single = instantiateGemm(memory);
const BASE = 1024;

const problem: fc.Arbitrary<Problem> = fc
  .record({
    m: fc.integer({ min: 1, max: 80 }), n: fc.integer({ min: 1, max: 130 }), k: fc.integer({ min: 1, max: 40 }),
    transA: fc.boolean(), transB: fc.boolean(),
    batch: fc.constantFrom(1, 1, 2, 3, 5, 6),
    padA: fc.integer({ min: 0, max: 3 }), padB: fc.integer({ min: 0, max: 3 }), padC: fc.integer({ min: 0, max: 3 }),
    accumulate: fc.boolean(), r0: fc.nat(), r1: fc.nat(), seed: fc.nat(),
  })
  .map(({ r0, r1, ...p }) => {
    const full = r0 % 3 !== 0;
    const a = full ? 0 : r0 % (p.m + 1);
    const b = full ? p.m : r1 % (p.m + 1);
    return { ...p, gapA: 1, gapB: 2, gapC: 3, broadcastB: false, misalign: 1, rowStart: Math.min(a, b), rowEnd: Math.max(a, b) };
  });

/** Same layout, with room for THREADS per-thread scratch buffers. */
function parallelLayout(p: Problem) {
  const per = gemmThreadScratchBytes(p);
  const l = layout(p, BASE, per * THREADS);
  l.call.scratchBytes = per;
  return l;
}

describe('ParallelGemm', () => {
  it('gives bit-identical results to the single-thread kernel, and the reference, for every split', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const l = parallelLayout(p);
        fill(memory, p, l, BASE);
        const before = snapshot(memory);
        par.gemm(l.call);
        const r = check(memory, p, l, BASE, before);
        if (!r.ok) throw new Error(`${r.message}\n${JSON.stringify(p)}`);
        const c = l.regions[2]!;
        const multi = new Int32Array(memory.buffer, c.start, c.bytes / 4).slice();
        new Uint8Array(memory.buffer).set(new Uint8Array(before.buffer, c.start, c.bytes), c.start);
        single.gemm(l.call);
        const one = new Int32Array(memory.buffer, c.start, c.bytes / 4);
        const diff = one.findIndex((v, i) => v !== multi[i]);
        if (diff >= 0) throw new Error(`C word ${diff}: single-thread bits ${one[diff]} vs multi-thread ${multi[diff]}\n${JSON.stringify(p)}`);
      }),
      { numRuns: 150 },
    );
  });

  it('throws a typed error when the threads\' scratch does not fit in the memory', () => {
    const p: Problem = { m: 60, n: 60, k: 8, transA: false, transB: false, batch: 1, padA: 0, padB: 0, padC: 0, gapA: 0, gapB: 0,
      gapC: 0, broadcastB: false, accumulate: false, rowStart: 0, rowEnd: 60, misalign: 0, seed: 1 };
    const l = layout(p, BASE);
    const call: GemmCall = { ...l.call, scratch: memory.buffer.byteLength - l.call.scratchBytes - 64 };
    expect(() => par.gemm(call)).toThrow(/scratch/);
  });
});

describe('splitGemm', () => {
  const base: GemmCall = { m: 96, n: 40, k: 16, a: 0, b: 0, c: 0, lda: 16, ldb: 40, ldc: 40, transA: false, transB: false, batch: 1,
    strideA: 0, strideB: 0, strideC: 0, accumulate: false, rowStart: 0, rowEnd: 96, scratch: 0, scratchBytes: 0 };
  it('splits batches when there are enough, rows when m ≥ n, columns when n > m', () => {
    expect(splitGemm({ ...base, batch: 4, strideA: 100, strideB: 10, strideC: 1000 }, 2).map((c) => [c.batch, c.a, c.b, c.c]))
      .toEqual([[2, 0, 0, 0], [2, 800, 80, 8000]]);
    expect(splitGemm(base, 2).map((c) => [c.rowStart, c.rowEnd])).toEqual([[0, 48], [48, 96]]);
    const wide = { ...base, m: 8, rowEnd: 8, n: 200, ldb: 200, ldc: 200 };
    expect(splitGemm(wide, 2).map((c) => [c.n, c.b, c.c])).toEqual([[96, 0, 0], [104, 384, 384]]);
    expect(splitGemm({ ...wide, transB: true, ldb: 16 }, 2).map((c) => [c.n, c.b])).toEqual([[96, 0], [104, 96 * 16 * 4]]);
    expect(splitGemm({ ...base, m: 3, rowEnd: 3, n: 5 }, 2)).toHaveLength(1);
  });
});
