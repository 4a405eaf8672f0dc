import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../compiler/interpreter/interpret.ts';
import type { HostArray } from '../../compiler/interpreter/hostArray.ts';
import { erf32, erf64 } from '../../compiler/ir/erf.ts';
import type { Node } from '../../compiler/ir/node.ts';
import * as ir from '../../compiler/ir/ops.ts';

const f32 = (shape: number[], data: number[]): HostArray => ({ dtype: 'f32', shape, data: Float64Array.from(data) });
const i32 = (shape: number[], data: number[]): HostArray => ({ dtype: 'i32', shape, data: Int32Array.from(data) });
const run1 = (out: Node, binds: [Node, HostArray][]) => Array.from(interpret([out], new Map(binds))[0]!.data);

describe('reference interpreter semantics', () => {
  it('dot_general with batch and several contracted axes equals explicit sums', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), (b, m, k1, n) => {
        const k2 = 2;
        // a: [k1, b, m, k2], c: [b, k2, n, k1]; contract k1, k2; batch b -> out [b, m, n]
        const A = Array.from({ length: k1 * b * m * k2 }, (_, i) => Math.sin(i + 1));
        const C = Array.from({ length: b * k2 * n * k1 }, (_, i) => Math.cos(i * 0.7));
        const a = ir.input('a', [k1, b, m, k2], 'f32');
        const c = ir.input('c', [b, k2, n, k1], 'f32');
        const out = run1(ir.dot(a, c, [[0, 3], [3, 1]], [[1], [0]]), [[a, f32([k1, b, m, k2], A)], [c, f32([b, k2, n, k1], C)]]);
        for (let z = 0; z < b; z++)
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let p = 0; p < k1; p++)
                for (let q = 0; q < k2; q++) s += A[((p * b + z) * m + i) * k2 + q]! * C[((z * k2 + q) * n + j) * k1 + p]!;
              expect(out[(z * m + i) * n + j]).toBeCloseTo(s, 12);
            }
      }),
      { numRuns: 20 },
    );
  });

  it('gather / scatterAdd with batch dims, concat, pad, slice, iota, reductions', () => {
    const x = ir.input('x', [2, 3, 2], 'f32');
    const xv = f32([2, 3, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const idx = ir.input('i', [2, 2], 'i32');
    const iv = i32([2, 2], [2, 0, 1, 1]);
    expect(run1(ir.gather(x, idx, 1, 1), [[x, xv], [idx, iv]])).toEqual([4, 5, 0, 1, 8, 9, 8, 9]);
    const upd = ir.input('u', [2, 2, 2], 'f32');
    const uv = f32([2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(run1(ir.scatterAdd(upd, idx, 1, 1, 3), [[upd, uv], [idx, iv]])).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 2, 2, 0, 0]);
    expect(run1(ir.concat([x, x], 2), [[x, xv]]).slice(0, 6)).toEqual([0, 1, 0, 1, 2, 3]);
    expect(run1(ir.slice(x, [1, 1, 0], [2, 3, 1]), [[x, xv]])).toEqual([8, 10]);
    expect(run1(ir.pad(ir.slice(x, [0, 0, 0], [1, 1, 2]), [1, 0, 0], [0, 1, 0]), [[x, xv]])).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    expect(run1(ir.iota([2, 3], 1), [])).toEqual([0, 1, 2, 0, 1, 2]);
    expect(run1(ir.reduceSum(x, [0, 2]), [[x, xv]])).toEqual([14, 22, 30]);
    expect(run1(ir.reduceMax(x, [1]), [[x, xv]])).toEqual([4, 5, 10, 11]);
    const y = ir.input('y', [4], 'f32');
    expect(run1(ir.argmax(y, 0), [[y, f32([4], [1, 3, 3, 2])]])).toEqual([1]); // first maximum
  });

  it('integer ops wrap around; u32 shifts and modulo are exact', () => {
    const a = ir.input('a', [3], 'u32');
    const av: HostArray = { dtype: 'u32', shape: [3], data: Uint32Array.from([0xffffffff, 5, 0x80000000]) };
    expect(run1(ir.binary('add', a, ir.constant(2, [3], 'u32')), [[a, av]])).toEqual([1, 7, 0x80000002]);
    expect(run1(ir.binary('shr', a, ir.constant(31, [3], 'u32')), [[a, av]])).toEqual([1, 0, 1]);
    expect(run1(ir.binary('mod', a, ir.constant(7, [3], 'u32')), [[a, av]])).toEqual([0xffffffff % 7, 5, 0x80000000 % 7]);
    const b = ir.input('b', [2], 'i32');
    expect(run1(ir.binary('mul', b, ir.constant(65536, [2], 'i32')), [[b, i32([2], [65536, -3])]])).toEqual([0, -196608]);
  });

  it('erf: float64 version to ~1e-15 at known values, continuous at its branch point; float32 version within 2e-7', () => {
    const known: [number, number][] = [
      [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527],
      [2.5, 0.9995930479825550], [3, 0.9999779095030014], [-1.5, -0.9661051464753108],
    ];
    for (const [x, v] of known) expect(Math.abs(erf64(x) - v)).toBeLessThan(2e-15);
    expect(Math.abs(erf64(2.5 - 1e-12) - erf64(2.5 + 1e-12))).toBeLessThan(1e-14);
    for (let x = -5; x <= 5; x += 0.0137) expect(Math.abs(erf32(x) - erf64(x))).toBeLessThan(2e-7);
  });
});
