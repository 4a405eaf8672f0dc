import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantiateGemm, gemmScratchBytes, gemmModuleBytes, type GemmCall } from '../../../../../compiler/backends/cpu/wasm/gemm.ts';
import { defaultGemmConfig, scratchLayout } from '../../../../../compiler/backends/cpu/wasm/gemm-config.ts';
import { GemmArgumentError } from '../../../../../compiler/backends/cpu/wasm/errors.ts';
import { PretextError } from '../../../../../util/errors.ts';
import { relaxedSimdAvailable } from '../../../../../compiler/backends/cpu/wasm/relaxed-simd.ts';
import { check, fill, layout, snapshot, type Problem } from './gemmHarness.ts';

const memory = new WebAssembly.Memory({ initial: 32, maximum: 1024, shared: true });
const BASE = 1024;

// Sizes around the tile edges (mr ∈ {2,3}, nr ∈ {12,16}) are over-represented.
const dim = fc.oneof(fc.integer({ min: 1, max: 70 }), fc.constantFrom(1, 2, 3, 4, 5, 11, 12, 13, 15, 16, 17, 23, 24, 25, 33, 48, 49));

const problem: fc.Arbitrary<Problem> = fc
  .record({
    m: dim, n: dim, k: dim,
    transA: fc.boolean(), transB: fc.boolean(),
    batch: fc.integer({ min: 1, max: 3 }),
    padA: fc.integer({ min: 0, max: 5 }), padB: fc.integer({ min: 0, max: 5 }), padC: fc.integer({ min: 0, max: 5 }),
    gapA: fc.integer({ min: 0, max: 7 }), gapB: fc.integer({ min: 0, max: 7 }), gapC: fc.integer({ min: 0, max: 7 }),
    broadcastB: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
    accumulate: fc.boolean(),
    r0: fc.nat(), r1: fc.nat(),
    misalign: fc.integer({ min: 0, max: 3 }),
    seed: fc.nat(),
  })
  .map(({ r0, r1, ...p }) => {
    // Half the cases compute all rows; the rest a random [rowStart, rowEnd) slice.
    const full = r0 % 2 === 0;
    const a = full ? 0 : r0 % (p.m + 1);
    const b = full ? p.m : r1 % (p.m + 1);
    return { ...p, rowStart: Math.min(a, b), rowEnd: Math.max(a, b) };
  });

const kernels = [
  { name: 'fma (relaxed SIMD) 3×12', fma: true },
  { name: 'mul+add 2×16', fma: false },
];

describe.each(kernels)('wasm gemm, $name', ({ fma }) => {
  if (fma && !relaxedSimdAvailable()) return;
  const kernel = instantiateGemm(memory, { fma });

  it('uses the expected configuration', () => {
    expect(kernel.config).toEqual(defaultGemmConfig(fma));
  });

  it('matches a float64 reference on random shapes, transposes, strides, batches and row ranges', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const l = layout(p, BASE);
        fill(memory, p, l, BASE);
        const before = snapshot(memory);
        kernel.gemm(l.call);
        const r = check(memory, p, l, BASE, before);
        if (!r.ok) throw new Error(`${r.message}\n${JSON.stringify(p)}`);
      }),
      { numRuns: 250 },
    );
  });

  it('sizes scratch the same way in TypeScript and inside the module', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (m, n, k) => {
      expect(kernel.rawScratchBytes(m, n, k)).toBe(scratchLayout(kernel.config, m, n, k).total);
      expect(gemmScratchBytes({ m, n, k, transA: false, transB: false })).toBeGreaterThanOrEqual(scratchLayout(kernel.config, m, n, k).total);
    }));
  });

  it('handles k = 0 (C = 0, or C unchanged when accumulating)', () => {
    for (const accumulate of [false, true]) {
      const p: Problem = { m: 5, n: 7, k: 0, transA: false, transB: false, batch: 2, padA: 0, padB: 0, padC: 2, gapA: 0, gapB: 0,
        gapC: 3, broadcastB: false, accumulate, rowStart: 1, rowEnd: 4, misalign: 1, seed: 7 };
      const l = layout(p, BASE);
      fill(memory, p, l, BASE);
      const before = snapshot(memory);
      kernel.gemm(l.call);
      expect(check(memory, p, l, BASE, before)).toEqual({ ok: true, message: 'ok' });
    }
  });

  it('computes large k and panel-spanning sizes (several kc, mc and nc blocks)', () => {
    const cfg = kernel.config;
    const p: Problem = { m: cfg.mc + 7, n: 2 * cfg.nr + 5, k: 2 * cfg.kc + 3, transA: true, transB: false, batch: 1, padA: 1, padB: 0,
      padC: 0, gapA: 0, gapB: 0, gapC: 0, broadcastB: false, accumulate: true, rowStart: 2, rowEnd: cfg.mc + 6, misalign: 0, seed: 3 };
    const l = layout(p, BASE);
    fill(memory, p, l, BASE);
    const before = snapshot(memory);
    kernel.gemm(l.call);
    expect(check(memory, p, l, BASE, before)).toEqual({ ok: true, message: 'ok' });
  });
});

describe('the checker', () => {
  it('fails on a wrong element and on a write outside C', () => {
    const kernel = instantiateGemm(memory);
    const p: Problem = { m: 4, n: 5, k: 6, transA: false, transB: true, batch: 1, padA: 0, padB: 0, padC: 3, gapA: 0, gapB: 0, gapC: 0,
      broadcastB: false, accumulate: false, rowStart: 0, rowEnd: 4, misalign: 0, seed: 1 };
    const l = layout(p, BASE);
    fill(memory, p, l, BASE);
    const before = snapshot(memory);
    kernel.gemm(l.call);
    const f32 = new Float32Array(memory.buffer);
    const c = l.call.c / 4;
    f32[c + 1] = f32[c + 1]! + 1e-3;
    expect(check(memory, p, l, BASE, before).ok).toBe(false);
    f32[c + 1] = f32[c + 1]! - 1e-3;
    kernel.gemm(l.call);
    expect(check(memory, p, l, BASE, before).ok).toBe(true);
    f32[c + 5] = 1; // padding between rows of C
    expect(check(memory, p, l, BASE, before).ok).toBe(false);
  });
});

describe('gemm argument errors', () => {
  const kernel = instantiateGemm(memory);
  const good = (): GemmCall => {
    const p: Problem = { m: 8, n: 8, k: 8, transA: false, transB: false, batch: 1, padA: 0, padB: 0, padC: 0, gapA: 0, gapB: 0, gapC: 0,
      broadcastB: false, accumulate: false, rowStart: 0, rowEnd: 8, misalign: 0, seed: 1 };
    return layout(p, BASE).call;
  };
  const cases: Array<[string, Partial<GemmCall>]> = [
    ['a', { a: 6 }],
    ['b', { b: 1 << 30 }],
    ['c', { c: memory.buffer.byteLength - 16 }],
    ['scratch', { scratch: 1028 }],
    ['scratchBytes', { scratchBytes: 64 }],
    ['lda', { lda: 7 }],
    ['ldb', { ldb: 3 }],
    ['ldc', { ldc: 0 }],
    ['batch', { batch: 0 }],
    ['rowEnd', { rowEnd: 9 }],
    ['rowStart', { rowStart: 5, rowEnd: 4 }],
    ['m', { m: 1.5 }],
    ['strideA', { strideA: -1 }],
    ['transA', { transA: 1 as unknown as boolean }],
  ];
  it.each(cases)('names %s', (argument, patch) => {
    let err: unknown;
    try {
      kernel.gemm({ ...good(), ...patch });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GemmArgumentError);
    expect(err).toBeInstanceOf(PretextError);
    expect((err as GemmArgumentError).context['argument']).toBe(argument);
    expect((err as Error).message).toContain(argument);
  });

  it('accepts the unmodified call', () => {
    expect(() => kernel.gemm(good())).not.toThrow();
  });
});

describe('module bytes', () => {
  it('validate, for shared and plain memories, with and without FMA', () => {
    for (const shared of [true, false]) for (const fma of [true, false]) {
      expect(WebAssembly.validate(gemmModuleBytes({ shared, fma }))).toBe(true);
    }
  });

  it('work on a non-shared memory too', () => {
    const plain = new WebAssembly.Memory({ initial: 2 });
    const k = instantiateGemm(plain);
    const f = new Float32Array(plain.buffer);
    f.set([1, 2, 3, 4], 0); // A 2×2
    f.set([5, 6, 7, 8], 4); // B 2×2
    k.gemm({ m: 2, n: 2, k: 2, a: 0, b: 16, c: 32, lda: 2, ldb: 2, ldc: 2, transA: false, transB: false, batch: 1,
      strideA: 0, strideB: 0, strideC: 0, accumulate: false, rowStart: 0, rowEnd: 2, scratch: 1024,
      scratchBytes: gemmScratchBytes({ m: 2, n: 2, k: 2, transA: false, transB: false }) });
    expect([...f.subarray(8, 12)]).toEqual([19, 22, 43, 50]);
  });
});
