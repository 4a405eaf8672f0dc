import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { key } from '../../../prng/key.ts';
import { bernoulli, normal, randint } from '../../../prng/samplers.ts';
import { discriminatorAccuracy, generatorMlmLoss, replacedTokenDetectionLoss } from '../../../objectives/electra/index.ts';

type Grid = p.Tensor<['batch', 'seq']>;
type Logits = p.Tensor<['batch', 'seq', 'vocab']>;
const B = 3;
const S = 6;
const V = 5;
const grid = <D extends ArrayLike<number>>(data: D, dtype: 'i32' | 'bool' | 'f32') => new HostTensor(['batch', 'seq'] as ['batch', 'seq'], [B, S], dtype, data);
const logitsOf = (data: ArrayLike<number>) => new HostTensor(['batch', 'seq', 'vocab'] as ['batch', 'seq', 'vocab'], [B, S, V], 'f32', data);

function labelledBatch(seed: number) {
  const x = randint(key(seed), 0, V, B * S);
  const selected = bernoulli(key(seed + 1), 0.4, B * S);
  const labels = Int32Array.from(x, (id, i) => (selected[i] ? id : -100));
  return { x, selected, labels, z: normal(key(seed + 2), B * S * V).map((v) => 2 * v) };
}

const hostLogSoftmax = (z: ArrayLike<number>, i: number, c: number) => {
  const row = Array.from({ length: V }, (_, v) => z[i * V + v]!);
  const m = Math.max(...row);
  return row[c]! - m - Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
};

describe('ELECTRA losses (spec 4f 4)', () => {
  it('L_MLM is the mean CE over S and depends only on the logits at S (perturbation and gradient)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        const { x, selected, labels, z } = labelledBatch(seed);
        const perturbed = Float64Array.from(z, (v, j) => (selected[Math.floor(j / V)] ? v : v + 5 * Math.sin(j)));
        const fn = (zz: Logits, y: Grid, sel: Grid, ids: Grid) => generatorMlmLoss(zz, y, sel, ids).loss;
        const args = [grid(labels, 'i32'), grid(selected, 'bool'), grid(x, 'i32')] as const;
        const base = p.evaluate(fn, logitsOf(z), ...args).item();
        expect(p.evaluate(fn, logitsOf(perturbed), ...args).item()).toBe(base);
        const count = selected.reduce((a, s) => a + s, 0);
        let want = 0;
        for (let i = 0; i < B * S; i++) if (selected[i]) want -= hostLogSoftmax(z, i, x[i]!);
        expect(base).toBeCloseTo(count ? want / count : 0, 12);
        const g = p.evaluate((zz: Logits, y: Grid, sel: Grid, ids: Grid) => p.grad((q: Logits) => generatorMlmLoss(q, y, sel, ids).loss)(zz), logitsOf(z), ...args);
        for (let j = 0; j < g.data.length; j++) if (!selected[Math.floor(j / V)]) expect(Math.abs(g.data[j]!)).toBe(0);
        if (count > 0) expect(Math.max(...Array.from(g.data, Math.abs))).toBeGreaterThan(0);
      }),
      { numRuns: 15, seed: 4 },
    );
  });

  it('an empty S gives L_MLM = 0 and gen_acc = 0, not NaN', () => {
    const none = new Uint8Array(B * S);
    const out = p.evaluate((zz: Logits, y: Grid, sel: Grid, ids: Grid) => generatorMlmLoss(zz, y, sel, ids), logitsOf(normal(key(1), B * S * V)),
      grid(new Int32Array(B * S).fill(-100), 'i32'), grid(none, 'bool'), grid(new Int32Array(B * S), 'i32'));
    expect(out.loss.item()).toBe(0);
    expect(out.accuracy.item()).toBe(0);
  });

  it('L_disc is the mean BCE over non-pad tokens and ignores pad positions (perturbation and gradient)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        const o = normal(key(seed), B * S).map((v) => 3 * v);
        const d = bernoulli(key(seed + 1), 0.3, B * S);
        const nonPad = bernoulli(key(seed + 2), 0.7, B * S);
        const fn = (oo: Grid, dd: Grid, m: Grid) => replacedTokenDetectionLoss(oo, dd, m);
        const base = p.evaluate(fn, grid(o, 'f32'), grid(Float64Array.from(d), 'f32'), grid(nonPad, 'bool')).item();
        const o2 = o.map((v, i) => (nonPad[i] ? v : -v + 7));
        const d2 = Float64Array.from(d, (v, i) => (nonPad[i] ? v : 1 - v));
        expect(p.evaluate(fn, grid(o2, 'f32'), grid(d2, 'f32'), grid(nonPad, 'bool')).item()).toBe(base);
        let want = 0;
        let n = 0;
        for (let i = 0; i < B * S; i++) {
          if (!nonPad[i]) continue;
          n++;
          want += Math.log1p(Math.exp(-Math.abs(o[i]!))) + Math.max(o[i]!, 0) - o[i]! * d[i]!;
        }
        expect(base).toBeCloseTo(n ? want / n : 0, 12);
        const g = p.evaluate((oo: Grid, dd: Grid, m: Grid) => p.grad((q: Grid) => replacedTokenDetectionLoss(q, dd, m))(oo), grid(o, 'f32'), grid(Float64Array.from(d), 'f32'), grid(nonPad, 'bool'));
        for (let i = 0; i < B * S; i++) if (!nonPad[i]) expect(Math.abs(g.data[i]!)).toBe(0);
      }),
      { numRuns: 15, seed: 5 },
    );
  });

  it('disc_acc = 0.5·acc(S) + 0.5·acc(not S), pads counted in "not S", logit 0 predicts "original"', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        // a third of the logits exactly 0: the reference's round((sign(0) + 1) / 2) = round(0.5) = 0
        const o = normal(key(seed), B * S).map((v, i) => (i % 3 === 0 ? 0 : v));
        const d = bernoulli(key(seed + 1), 0.4, B * S);
        const selected = bernoulli(key(seed + 2), 0.3, B * S);
        const acc = p.evaluate((oo: Grid, dd: Grid, sel: Grid) => discriminatorAccuracy(oo, dd, sel), grid(o, 'f32'), grid(Float64Array.from(d), 'f32'), grid(selected, 'bool')).item();
        const part = (inS: boolean) => {
          let hit = 0;
          let n = 0;
          for (let i = 0; i < B * S; i++) {
            if ((selected[i] === 1) !== inS) continue;
            n++;
            if ((o[i]! > 0 ? 1 : 0) === d[i]) hit++;
          }
          return n ? hit / n : 0;
        };
        expect(acc).toBeCloseTo(0.5 * part(true) + 0.5 * part(false), 12);
      }),
      { numRuns: 15, seed: 6 },
    );
  });
});
