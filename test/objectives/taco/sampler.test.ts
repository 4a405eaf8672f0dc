import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { key } from '../../../prng/key.ts';
import { uniform } from '../../../prng/samplers.ts';
import { TacoBatchError, sampleTcPairs, tcCandidateIndices, type TokenLayout } from '../../../objectives/taco/index.ts';
import { chiSquareGoodnessOfFit, countsOf } from '../../helpers/chiSquare.ts';

/** Rows with `lengths[b]` tokens, then padding (lengths === T everywhere: TACO's unpadded blocks). */
function layout(lengths: readonly number[], T: number): TokenLayout {
  const attentionMask = new Uint8Array(lengths.length * T);
  lengths.forEach((n, b) => attentionMask.fill(1, b * T, b * T + n));
  return { rows: lengths.length, seqLen: T, attentionMask };
}

const caseArb = fc
  .record({
    T: fc.integer({ min: 1, max: 12 }),
    rows: fc.integer({ min: 2, max: 5 }),
    window: fc.constantFrom(3, 5, 7, 9),
    negatives: fc.integer({ min: 1, max: 6 }),
    padded: fc.boolean(),
    seed: fc.integer({ min: 0, max: 100_000 }),
  })
  .chain((c) => fc.record({ c: fc.constant(c), lengths: fc.array(fc.integer({ min: 0, max: c.T }), { minLength: c.rows, maxLength: c.rows }) }))
  .map(({ c, lengths }) => ({ ...c, lengths: c.padded ? lengths : lengths.map(() => c.T) }))
  .filter(({ lengths }) => lengths.filter((n) => n > 0).length >= 2);

describe('TACO sampler (spec 3f 3)', () => {
  it('negatives never come from the anchor row; positives come from it, are never the anchor, and |δ| <= floor(W/2) unless the fallback fired, which it does only out of range', () => {
    let fallbacks = 0;
    let windowed = 0;
    fc.assert(
      fc.property(caseArb, ({ T, window, negatives: K, lengths, seed }) => {
        const l = layout(lengths, T);
        const s = sampleTcPairs(key(seed), l, { negatives: K, window });
        const candidates = tcCandidateIndices(s);
        const half = Math.floor(window / 2);
        lengths.forEach((n, b) => {
          for (let t = 0; t < T; t++) {
            const i = b * T + t;
            expect(s.hasPositive[i]).toBe(t < n && n >= 2 ? 1 : 0);
            const d = s.delta[i]!;
            expect(d !== 0 && Math.abs(d) <= half).toBe(true);
            if (s.hasPositive[i]) {
              const pos = s.positive[i]!;
              expect(Math.floor(candidates[i * (K + 1)]! / T)).toBe(b); // same row
              expect(candidates[i * (K + 1)]! % T).toBe(pos);
              expect(pos).not.toBe(t);
              expect(l.attentionMask[b * T + pos]).toBe(1);
              const inRange = t + d >= 0 && t + d < n; // rows are [tokens.., pads..]
              expect(s.fallback[i]).toBe(inRange ? 0 : 1);
              if (!s.fallback[i]) expect(pos).toBe(t + d);
              if (s.fallback[i]) fallbacks++;
              else windowed++;
            }
            for (let k = 0; k < K; k++) {
              const c = candidates[i * (K + 1) + 1 + k]!;
              const row = Math.floor(c / T);
              expect(row).not.toBe(b);
              expect(row).toBe(s.negativeRow[i * K + k]);
              expect(l.attentionMask[c]).toBe(1); // a real token of that row
            }
          }
        });
      }),
      { numRuns: 150, seed: 21 },
    );
    expect(fallbacks).toBeGreaterThan(50);
    expect(windowed).toBeGreaterThan(50);
  });

  // χ² goodness of fit at α = 0.001 on fixed keys: a correct sampler fails it for one key in 1000
  const ALPHA = 1e-3;
  const uniformOver = (n: number) => new Array<number>(n).fill(1 / n);

  it('δ is uniform over ±1..±floor(W/2) (χ² over 12,000 draws for W = 5 and 7), and the test rejects a sampler 2% off uniform', () => {
    const B = 200;
    const T = 60;
    for (const window of [5, 7]) {
      const half = Math.floor(window / 2);
      const support = [...Array.from({ length: half }, (_, i) => i - half), ...Array.from({ length: half }, (_, i) => i + 1)];
      const s = sampleTcPairs(key(3), layout(new Array(B).fill(T), T), { negatives: 1, window });
      const fit = chiSquareGoodnessOfFit(countsOf(s.delta, support), uniformOver(support.length)); // countsOf: nothing outside the support
      expect(fit.df).toBe(2 * half - 1);
      expect(fit.pValue, `W = ${window}: χ² ${fit.statistic}`).toBeGreaterThan(ALPHA);
    }
    // a sampler with P(δ) = (0.27, 0.23, 0.25, 0.25) over (-2, -1, 1, 2), as many draws: rejected,
    // although every frequency is within the ±0.1 of 1/4 that 48 draws were once checked against
    const probs = [0.27, 0.23, 0.25, 0.25];
    const cdf = probs.map((_, i) => probs.slice(0, i + 1).reduce((a, q) => a + q, 0));
    const biased = Array.from(uniform(key(5), B * T), (u) => [-2, -1, 1, 2][cdf.findIndex((c) => u < c)]!);
    const counts = countsOf(biased, [-2, -1, 1, 2]);
    expect(counts.every((c) => Math.abs(c / (B * T) - 0.25) < 0.1)).toBe(true);
    expect(chiSquareGoodnessOfFit(counts, uniformOver(4)).pValue).toBeLessThan(ALPHA);
    expect(chiSquareGoodnessOfFit(counts, probs).pValue).toBeGreaterThan(ALPHA); // the test itself is calibrated
  });

  it('without padding: negative rows uniform over the other rows, columns uniform, weak positives uniform over the row (χ²)', () => {
    const T = 12;
    const B = 4;
    const K = 400;
    const s = sampleTcPairs(key(3), layout(new Array(B).fill(T), T), { negatives: K, window: 5 });
    // negatives of row 0's anchors: rows 1..B-1 only
    const rows = countsOf(s.negativeRow.slice(0, T * K), [1, 2, 3]);
    expect(chiSquareGoodnessOfFit(rows, uniformOver(B - 1)).pValue).toBeGreaterThan(ALPHA);
    const columns = countsOf(s.negativeColumn, Array.from({ length: T }, (_, t) => t));
    expect(chiSquareGoodnessOfFit(columns, uniformOver(T)).pValue).toBeGreaterThan(ALPHA);
    // weak positives of the first token (δ < 0 falls off the row): uniform over columns 1..T-1
    const many = sampleTcPairs(key(4), layout(new Array(3000).fill(T), T), { negatives: 1, window: 5 });
    const weak: number[] = [];
    for (let b = 0; b < 3000; b++) if (many.fallback[b * T]) weak.push(many.positive[b * T]!);
    expect(weak.length).toBeGreaterThan(1300); // P(δ < 0) = 1/2
    const weakFit = chiSquareGoodnessOfFit(countsOf(weak, Array.from({ length: T - 1 }, (_, t) => t + 1)), uniformOver(T - 1));
    expect(weakFit.pValue).toBeGreaterThan(ALPHA);
  });

  it('is pure in the key and redrawn with a new key', () => {
    const l = layout([8, 8, 8], 8);
    const a = sampleTcPairs(key(1), l, { negatives: 5, window: 5 });
    const b = sampleTcPairs(key(1), l, { negatives: 5, window: 5 });
    const c = sampleTcPairs(key(2), l, { negatives: 5, window: 5 });
    expect(Array.from(tcCandidateIndices(b))).toEqual(Array.from(tcCandidateIndices(a)));
    expect(Array.from(tcCandidateIndices(c))).not.toEqual(Array.from(tcCandidateIndices(a)));
  });

  it('needs two rows with tokens (TacoBatchError otherwise)', () => {
    expect(() => sampleTcPairs(key(1), layout([8], 8), { negatives: 5, window: 5 })).toThrow(TacoBatchError);
    expect(() => sampleTcPairs(key(1), layout([8, 0, 0], 8), { negatives: 5, window: 5 })).toThrow(TacoBatchError);
  });
});
